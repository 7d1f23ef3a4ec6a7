/* The object manager's view of kernel objects: _OBJECT_HEADER before each
 * object body, its type (TypeIndex, decoded with nt!ObHeaderCookie on
 * Windows 10 and later, into nt!ObTypeIndexTable), the optional headers
 * InfoMask announces (located through nt!ObpInfoMaskToOffset), the name
 * (_OBJECT_HEADER_NAME_INFO) and the directory tree from
 * nt!ObpRootDirectoryObject. */
#ifndef KDX_NT_OBJECT_H
#define KDX_NT_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

/* InfoMask bits, one per optional header, in the order they precede the header. */
enum {
    KDX_NT_OBJ_CREATOR_INFO = 0x01,
    KDX_NT_OBJ_NAME_INFO = 0x02,
    KDX_NT_OBJ_HANDLE_INFO = 0x04,
    KDX_NT_OBJ_QUOTA_INFO = 0x08,
    KDX_NT_OBJ_PROCESS_INFO = 0x10,
    KDX_NT_OBJ_AUDIT_INFO = 0x20,
    KDX_NT_OBJ_EXTENDED_INFO = 0x40,
    KDX_NT_OBJ_PADDING_INFO = 0x80
};

typedef struct kdx_nt_object {
    uint64_t body, header;
    uint8_t raw_index;        /* TypeIndex as stored */
    uint8_t type_index;       /* decoded */
    bool cookie_applied;      /* ObHeaderCookie and the header address were XORed in */
    uint8_t cookie;
    uint64_t type;            /* the _OBJECT_TYPE */
    char type_name[64];
    int64_t pointer_count, handle_count;
    uint8_t info_mask;
} kdx_nt_object;

/* The header and type of the object whose body is at body. Fails with a
 * message naming the header when the type index does not lead to a type
 * object whose own Index agrees. */
kdx_status kdx_nt_object_read(kdx_session *s, uint64_t body, kdx_nt_object *o, kdx_err *err);
/* body - offsetof(_OBJECT_HEADER, Body) */
kdx_status kdx_nt_object_header_of(kdx_session *s, uint64_t body, uint64_t *header, kdx_err *err);
/* Decodes a stored TypeIndex found in the header at header. */
kdx_status kdx_nt_object_decode_index(kdx_session *s, uint64_t header, uint8_t raw, uint8_t *index,
                                      bool *cookie_applied, kdx_err *err);
/* ObTypeIndexTable[index] and its name. */
kdx_status kdx_nt_object_type(kdx_session *s, uint8_t index, uint64_t *type, char *name, size_t cap,
                              kdx_err *err);
/* Address of an optional header (bit from the enum above); KDX_E_NOT_FOUND when absent. */
kdx_status kdx_nt_object_optional(kdx_session *s, const kdx_nt_object *o, unsigned bit, uint64_t *addr,
                                  kdx_err *err);
/* Name and directory from the name information; KDX_E_NOT_FOUND when unnamed. */
kdx_status kdx_nt_object_name(kdx_session *s, const kdx_nt_object *o, uint64_t *directory, char *name,
                              size_t cap, kdx_err *err);
/* "\Directory\Name" up to the root (at most 32 levels). */
kdx_status kdx_nt_object_path(kdx_session *s, const kdx_nt_object *o, char *path, size_t cap, kdx_err *err);

/* Entries of an object directory, bucket by bucket (chains guarded against loops). */
typedef int (*kdx_nt_dir_cb)(void *ud, unsigned bucket, uint64_t entry, uint64_t object);
kdx_status kdx_nt_directory_walk(kdx_session *s, uint64_t directory, kdx_nt_dir_cb cb, void *ud, kdx_err *err);
/* The object at "\A\B" from nt!ObpRootDirectoryObject (names compare case-insensitively). */
kdx_status kdx_nt_object_lookup(kdx_session *s, const char *path, uint64_t *object, kdx_err *err);

#endif
