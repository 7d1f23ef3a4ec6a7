/* Typed queries of the public API (include/kdx.h): what programs need
 * without parsing command text. Each one is a thin wrapper over the layer
 * that owns the answer; errors become the thread's last error. */
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "api/api.h"
#include "base/util.h"
#include "expr/expr.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "types/type.h"
#include "unwind/unwind.h"

/* Every typed call needs an opened file; says so when there is none. */
static kdx_status need_target(kdx_dbg *d, const char *fn)
{
    if (!d)
        return kdx_api_failf(KDX_E_ARG, "%s: no handle", fn);
    if (!d->s->target)
        return kdx_api_failf(KDX_E_ARG, "%s: no file is open (kdx_open / kdx_load first)", fn);
    return KDX_OK;
}

static const char *arch_text(kdx_arch a)
{
    switch (a) {
    case KDX_ARCH_X86:
        return "x86";
    case KDX_ARCH_X64:
        return "x64";
    case KDX_ARCH_ARM64:
        return "arm64";
    default:
        return "unknown";
    }
}

kdx_status kdx_get_sysinfo(kdx_dbg *d, kdx_sysinfo *out)
{
    kdx_status st = need_target(d, "kdx_get_sysinfo");
    if (st != KDX_OK)
        return st;
    const kdx_target *t = d->s->target;
    memset(out, 0, sizeof *out);
    out->format = t->ops && t->ops->format_name ? t->ops->format_name : "";
    out->arch = arch_text(t->arch);
    out->pointer_size = t->ptr_size;
    out->kernel = t->kind == KDX_TARGET_KERNEL_DUMP;
    out->os_major = t->sys.os_major;
    out->os_minor = t->sys.os_minor;
    out->build = t->sys.build;
    out->processors = t->sys.num_processors;
    out->dump_time = t->sys.dump_time;
    if (out->kernel) {
        out->bugcheck_code = t->kernel.bugcheck_code;
        memcpy(out->bugcheck_args, t->kernel.bugcheck_args, sizeof out->bugcheck_args);
    }
    if (t->exception.present) {
        out->exception_code = t->exception.code;
        out->exception_address = t->exception.address;
    }
    out->contexts = t->ncontexts;
    out->current_context = d->s->cur_context;
    return KDX_OK;
}

size_t kdx_module_count(kdx_dbg *d)
{
    return d && d->s->target ? d->s->target->nmodules : 0;
}

kdx_status kdx_module_get(kdx_dbg *d, size_t i, kdx_module_entry *out)
{
    kdx_status st = need_target(d, "kdx_module_get");
    if (st != KDX_OK)
        return st;
    if (i >= d->s->target->nmodules)
        return kdx_api_failf(KDX_E_NOT_FOUND, "module %zu: the target has %zu modules", i,
                             d->s->target->nmodules);
    const kdx_module *m = d->s->target->modules[i];
    *out = (kdx_module_entry){
        .name = m->name ? m->name : "",
        .image_name = m->image_name ? m->image_name : "",
        .base = m->base,
        .size = m->size,
        .timestamp = m->timestamp,
        .checksum = m->checksum,
        .unloaded = m->unloaded,
    };
    return KDX_OK;
}

size_t kdx_thread_count(kdx_dbg *d)
{
    return d && d->s->target ? d->s->target->ncontexts : 0;
}

/* ip and sp of context i, left 0 when the dump has no context for it. */
static void thread_registers(kdx_target *t, unsigned i, kdx_thread_entry *out)
{
    kdx_context ctx;
    kdx_err err = {0};
    if (!t->ops->get_context || t->ops->get_context(t->impl, i, &ctx, &err) != KDX_OK)
        return;
    out->ip = kdx_ctx_ip(&ctx);
    out->sp = kdx_ctx_sp(&ctx);
}

kdx_status kdx_thread_get(kdx_dbg *d, size_t i, kdx_thread_entry *out)
{
    kdx_status st = need_target(d, "kdx_thread_get");
    if (st != KDX_OK)
        return st;
    kdx_target *t = d->s->target;
    if (i >= t->ncontexts)
        return kdx_api_failf(KDX_E_NOT_FOUND, "thread %zu: the target has %u threads/processors", i,
                             t->ncontexts);
    memset(out, 0, sizeof *out);
    out->index = (unsigned)i;
    out->id = (uint32_t)i;
    kdx_thread_info ti;
    kdx_err err = {0};
    memset(&ti, 0, sizeof ti);
    if (t->ops->get_thread_info && t->ops->get_thread_info(t->impl, (unsigned)i, &ti, &err) == KDX_OK) {
        out->id = ti.id;
        out->teb = ti.teb;
        out->thread = ti.thread;
        out->process = ti.process;
    }
    thread_registers(t, (unsigned)i, out);
    return KDX_OK;
}

kdx_status kdx_set_thread(kdx_dbg *d, unsigned index)
{
    kdx_status st = need_target(d, "kdx_set_thread");
    if (st != KDX_OK)
        return st;
    kdx_err err = {0};
    if (kdx_session_set_context_index(d->s, index, &err) != KDX_OK)
        return kdx_api_fail(&err);
    return KDX_OK;
}

kdx_status kdx_register_value(kdx_dbg *d, const char *name, uint64_t *value)
{
    kdx_status st = need_target(d, "kdx_register_value");
    if (st != KDX_OK)
        return st;
    kdx_reg_ref ref;
    if (!name || !kdx_reg_lookup(d->s->target->arch, name, strlen(name), &ref))
        return kdx_api_failf(KDX_E_NOT_FOUND, "no register '%s' on %s", name ? name : "(null)",
                             arch_text(d->s->target->arch));
    kdx_context ctx;
    kdx_err err = {0};
    if (kdx_session_context(d->s, &ctx, &err) != KDX_OK)
        return kdx_api_fail(&err);
    if (!(ctx.valid & (1ull << ref.reg)))
        return kdx_api_failf(KDX_E_MEM_MISSING, "register %s is not in the dump's context", name);
    *value = (ctx.r[ref.reg] >> ref.shift) & ref.mask;
    return KDX_OK;
}

typedef kdx_status (*memory_reader)(kdx_target *t, uint64_t addr, void *buf, size_t len, size_t *done,
                                   kdx_err *err);

static kdx_status read_memory(kdx_dbg *d, const char *fn, memory_reader read, uint64_t addr, void *buf,
                              size_t n, size_t *done)
{
    kdx_status st = need_target(d, fn);
    if (st != KDX_OK)
        return st;
    kdx_err err = {0};
    if (read(d->s->target, addr, buf, n, done, &err) != KDX_OK)
        return kdx_api_fail(&err);
    return KDX_OK;
}

kdx_status kdx_read_virtual(kdx_dbg *d, uint64_t addr, void *buf, size_t n, size_t *done)
{
    return read_memory(d, "kdx_read_virtual", kdx_read_virt, addr, buf, n, done);
}

kdx_status kdx_read_physical(kdx_dbg *d, uint64_t addr, void *buf, size_t n, size_t *done)
{
    return read_memory(d, "kdx_read_physical", kdx_read_phys, addr, buf, n, done);
}

kdx_status kdx_symbol_from_address(kdx_dbg *d, uint64_t addr, char **name, uint64_t *displacement)
{
    *name = NULL;
    kdx_status st = need_target(d, "kdx_symbol_from_address");
    if (st != KDX_OK)
        return st;
    kdx_symhit hit;
    if (kdx_sym_from_addr(d->s, addr, &hit) != KDX_OK)
        return kdx_api_failf(KDX_E_NOT_FOUND, "%#llx is not inside any module of the target",
                             (unsigned long long)addr);
    char buf[512];
    kdx_sym_format(d->s, addr, buf, sizeof buf);
    *name = kdx_strdup(buf);
    if (displacement)
        *displacement = hit.displacement;
    return KDX_OK;
}

kdx_status kdx_evaluate(kdx_dbg *d, const char *expr, uint64_t *value)
{
    if (!d || !expr)
        return kdx_api_failf(KDX_E_ARG, "kdx_evaluate: no handle or no expression");
    kdx_err err = {0};
    if (kdx_expr_eval_all(d->s, expr, value, &err) != KDX_OK)
        return kdx_api_fail(&err);
    return KDX_OK;
}

kdx_status kdx_field_read(kdx_dbg *d, const char *type, uint64_t addr, const char *field, uint64_t *value)
{
    kdx_status st = need_target(d, "kdx_field_read");
    if (st != KDX_OK)
        return st;
    kdx_err err = {0};
    if (kdx_read_field(d->s, type, addr, field, value, &err) != KDX_OK)
        return kdx_api_fail(&err);
    return KDX_OK;
}

/* Bytes a field occupies: its type's size, arrays as a whole. */
static uint64_t field_bytes(const kdx_type *ft)
{
    const kdx_type *t = kdx_type_strip(ft);
    if (t->kind == KDX_TYPE_BITFIELD)
        return kdx_type_strip(t->target)->size;
    if (t->kind == KDX_TYPE_ARRAY && t->size == 0 && t->target)
        return t->count * kdx_type_strip(t->target)->size;
    return t->size;
}

/* The named type from the loaded symbols, NULL (last error set) when none. */
static const kdx_type *find_type(kdx_dbg *d, const char *fn, const char *type)
{
    if (need_target(d, fn) != KDX_OK)
        return NULL;
    kdx_err err = {0};
    const kdx_type *ty = kdx_sym_find_type(d->s, type, &err);
    if (!ty)
        kdx_api_fail(&err);
    return ty;
}

kdx_status kdx_field_info(kdx_dbg *d, const char *type, const char *field, uint64_t *offset, uint64_t *size)
{
    const kdx_type *ty = find_type(d, "kdx_field_info", type);
    if (!ty)
        return d && d->s->target ? KDX_E_NOT_FOUND : KDX_E_ARG;
    kdx_err err = {0};
    const kdx_type *ft = NULL;
    if (kdx_type_field_path(ty, field, offset, &ft, &err) != KDX_OK)
        return kdx_api_fail(&err);
    if (size)
        *size = field_bytes(ft);
    return KDX_OK;
}

kdx_status kdx_type_size(kdx_dbg *d, const char *type, uint64_t *size)
{
    const kdx_type *ty = find_type(d, "kdx_type_size", type);
    if (!ty)
        return d && d->s->target ? KDX_E_NOT_FOUND : KDX_E_ARG;
    *size = kdx_type_strip(ty)->size;
    return KDX_OK;
}

static void frame_entry(kdx_dbg *d, const kdx_frame *f, kdx_frame_entry *e)
{
    memset(e, 0, sizeof *e);
    e->index = f->index;
    e->ip = kdx_ctx_ip(&f->ctx);
    e->sp = f->child_sp;
    e->return_address = f->has_ret ? f->ret_addr : 0;
    e->trust = kdx_frame_trust_name(f->trust);
    kdx_sym_format_code(d->s, e->ip, e->symbol, sizeof e->symbol);
}

kdx_status kdx_stack_frames(kdx_dbg *d, kdx_frame_entry *frames, size_t max, size_t *count)
{
    *count = 0;
    kdx_status st = need_target(d, "kdx_stack_frames");
    if (st != KDX_OK)
        return st;
    kdx_context ctx;
    kdx_err err = {0};
    if (kdx_session_context(d->s, &ctx, &err) != KDX_OK)
        return kdx_api_fail(&err);
    kdx_unwind_env env;
    kdx_unwind_env_for_session(d->s, &env);
    kdx_stack stk = {0};
    if (kdx_stack_walk(&env, &ctx, max, &stk, &err) != KDX_OK)
        return kdx_api_fail(&err);
    for (size_t i = 0; i < stk.len && i < max; i++)
        frame_entry(d, &stk.frames[i], &frames[i]);
    *count = stk.len < max ? stk.len : max;
    kdx_stack_free(&stk);
    return KDX_OK;
}

kdx_status kdx_analyze_json(kdx_dbg *d, char **json)
{
    *json = NULL;
    kdx_status st = need_target(d, "kdx_analyze_json");
    if (st != KDX_OK)
        return st;
    kdx_analysis a;
    kdx_err err = {0};
    if (kdx_analyze(d->s, &a, &err) != KDX_OK)
        return kdx_api_fail(&err);
    *json = kdx_analysis_json(d->s, &a, d->s->target->path);
    kdx_analysis_free(&a);
    return KDX_OK;
}
