/* Test fixture: a kernel target whose physical memory is a sparse set of
 * pages held in memory, so tests can build page tables by hand (the
 * reference article's PAE tables, x64 4/5-level, ARM64) and drop pages to
 * model memory missing from a dump. */
#ifndef KDX_TESTS_MM_FIXTURE_H
#define KDX_TESTS_MM_FIXTURE_H

#include <stdint.h>

#include "dump/kdump_writer.h"
#include "target/target.h"

/* A kernel-dump target with no pages; paging and dtb set as given. */
kdx_target *mmfix_new(kdx_arch arch, kdx_paging paging, uint64_t dtb);
/* Pointer to physical address pa, creating its (zeroed) page on demand. */
uint8_t *mmfix_at(kdx_target *t, uint64_t pa);
void mmfix_put32(kdx_target *t, uint64_t pa, uint32_t v);
void mmfix_put64(kdx_target *t, uint64_t pa, uint64_t v);
void mmfix_put_bytes(kdx_target *t, uint64_t pa, const void *b, size_t n);
/* Removes a page: reads of it fail like a page missing from the dump. */
void mmfix_drop(kdx_target *t, uint64_t pfn);
/* x64 4-level: maps a 4 KB page va -> pa, allocating tables from a bump
 * pointer starting at next_table (updated). Flags are the PTE's low bits. */
void mmfix_map_x64(kdx_target *t, uint64_t va, uint64_t pa, uint64_t flags,
                   uint64_t *next_table);

/* The reference article's x86 PAE system (../shared/reference/README.md):
 * cr3 23406e0, PDPTE[2] 06c46801, PDE for 8054099e 004009e3 (2 MB page at
 * 400000), PDE for f9a10054 0102d963 / PTE 02010121, PDE for b8ae900c
 * 0b880863 / PTE 000b8af500000000, and the bytes at physical 54099e. */
kdx_target *mmfix_article_pae(void);



#include "target/session.h"

/* The pool-leak article's x64 system: fffff880`0496e000 -> 0x5000 holding
 * "Leak" at 3aa and 621, a string at 700, "Win" (UTF-16) at 800, bytes
 * 01..08 at ff8; fffff880`0496f000 valid but its frame not saved;
 * fffff880`04970000 paged out (page file 2, offset 1234). */
kdx_target *mmfix_x64_leak(void);

/* Saves t's physical pages and page-table root as a kernel dump with the
 * project's dump writer (complete or bitmap). */
kdx_status mmfix_save_dump(kdx_target *t, kdx_kdw_kind kind, uint32_t build, const char *path,
                           kdx_err *err);

/* Runs commands in a session whose target is t (the session takes it);
 * returns the malloc'd output. setup runs first with its output discarded. */
char *mmfix_run(kdx_target *t, const char *setup, const char *commands);
#endif
