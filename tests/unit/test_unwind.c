/* Unit tests for the x64 unwinder on hand-built UNWIND_INFO and stacks. */
#include "tests/test.h"
#include "tests/unit/unwind_synth.h"

static syn_world *world_new(kdx_unwind_env *env)
{
    syn_world *w = malloc(sizeof *w);
    syn_build_standard(w);
    syn_env(w, env);
    return w;
}

static void world_free(syn_world *w)
{
    syn_free(w);
    free(w);
}

static kdx_context ctx_at(uint64_t rip, uint64_t rsp)
{
    kdx_context c = {.arch = KDX_ARCH_X64};
    for (int i = 0; i < KDX_X64_NREGS; i++)
        kdx_ctx_set(&c, i, 0x1000 + (uint64_t)i);
    kdx_ctx_set(&c, KDX_X64_RIP, rip);
    kdx_ctx_set(&c, KDX_X64_RSP, rsp);
    return c;
}

TEST(unwind_info_parse_codes)
{
    uint8_t b[] = {0x19, 0x49, 0x05, 0x45, /* v1 flags 3, prolog 0x49, 5 codes, rbp/0x40 */
                   0x20, 0x43, 0x1b, 0x01, 0x33, 0x00, 0x14, 0x70, 0x13, 0x50, 0x00, 0x00,
                   0x07, 0x13, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
    kdx_x64_unwind_info ui;
    CHECK_OK(kdx_x64_unwind_info_parse(b, sizeof b, NULL, &ui, NULL));
    CHECK_EQ(ui.version, 1);
    CHECK_EQ(ui.flags, 3);
    CHECK_EQ(ui.prolog_size, 0x49);
    CHECK_EQ(ui.frame_reg, 5);
    CHECK_EQ(ui.frame_offset, 4);
    CHECK(ui.has_handler && ui.handler_rva == 0x1307 && ui.handler_data == 3);
    CHECK_EQ(ui.size, 0x18); /* as WinDbg's .fnent counts it */
    kdx_x64_unwind_code c;
    CHECK_OK(kdx_x64_unwind_code_at(&ui, 1, &c, NULL));
    CHECK_EQ(c.op, KDX_UWOP_ALLOC_LARGE);
    CHECK_EQ(c.operand, 0x198);
    CHECK_EQ(c.nslots, 2);
    CHECK_OK(kdx_x64_unwind_code_at(&ui, 3, &c, NULL));
    CHECK(c.op == KDX_UWOP_PUSH_NONVOL && c.info == 7 && c.code_offset == 0x14);
}

TEST(unwind_info_parse_rejects_bad_input)
{
    kdx_x64_unwind_info ui;
    kdx_err err = {0};
    uint8_t v3[] = {0x03, 0, 0, 0};
    CHECK_EQ(kdx_x64_unwind_info_parse(v3, sizeof v3, "t.sys UNWIND_INFO at RVA 0x10", &ui, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "t.sys UNWIND_INFO at RVA 0x10: unsupported version 3");
    uint8_t cut[] = {0x01, 0x04, 0x02, 0x00, 0x04, 0x02};
    CHECK_EQ(kdx_x64_unwind_info_parse(cut, sizeof cut, NULL, &ui, &err), KDX_E_TRUNCATED);
    /* ALLOC_LARGE needs its operand slot. */
    uint8_t noslot[] = {0x01, 0x04, 0x01, 0x00, 0x04, 0x01};
    CHECK_EQ(kdx_x64_unwind_info_parse(noslot, sizeof noslot, NULL, &ui, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "needs 2 slots");
    uint8_t badop[] = {0x01, 0x04, 0x01, 0x00, 0x04, 0x0b};
    CHECK_EQ(kdx_x64_unwind_info_parse(badop, sizeof badop, NULL, &ui, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "unknown opcode 11");
    uint8_t chaincut[] = {0x21, 0, 0, 0, 1, 2, 3, 4};
    CHECK_EQ(kdx_x64_unwind_info_parse(chaincut, sizeof chaincut, NULL, &ui, &err), KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "chained RUNTIME_FUNCTION");
}

TEST(unwind_x64_body_push_and_alloc)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    syn_put64(w, S + 0x20, 0xb0b0);           /* saved rbx */
    syn_put64(w, S + 0x28, SYN_BASE + 0x1080); /* return address */
    kdx_context c = ctx_at(SYN_BASE + 0x1010, S);
    kdx_unwind_step st;
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_X64_RIP], SYN_BASE + 0x1080);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 0x30);
    CHECK_EQ(st.caller.r[KDX_X64_RBX], 0xb0b0);
    CHECK_EQ(st.caller.r[KDX_X64_RSI], c.r[KDX_X64_RSI]);
    CHECK(!st.in_epilog && !st.leaf);
    world_free(w);
}

TEST(unwind_x64_inside_prolog)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    /* Stopped after push rbx, before sub rsp: only the push is undone. */
    syn_put64(w, S, 0xb1);
    syn_put64(w, S + 8, SYN_BASE + 0x1090);
    kdx_context c = ctx_at(SYN_BASE + 0x1002, S);
    kdx_unwind_step st;
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_X64_RIP], SYN_BASE + 0x1090);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 0x10);
    CHECK_EQ(st.caller.r[KDX_X64_RBX], 0xb1);
    /* At the first instruction nothing is undone. */
    syn_put64(w, S, SYN_BASE + 0x1091);
    c = ctx_at(SYN_BASE + 0x1000, S);
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_X64_RIP], SYN_BASE + 0x1091);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 8);
    world_free(w);
}

TEST(unwind_x64_inside_epilog)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    /* At "pop rbx; ret": the add rsp already ran. */
    syn_put64(w, S, 0xe1);
    syn_put64(w, S + 8, SYN_BASE + 0x1092);
    kdx_context c = ctx_at(SYN_BASE + 0x1034, S);
    kdx_unwind_step st;
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK(st.in_epilog);
    CHECK_EQ(st.caller.r[KDX_X64_RBX], 0xe1);
    CHECK_EQ(st.caller.r[KDX_X64_RIP], SYN_BASE + 0x1092);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 0x10);
    /* At "add rsp,20h". */
    syn_put64(w, S + 0x20, 0xe2);
    syn_put64(w, S + 0x28, SYN_BASE + 0x1093);
    c = ctx_at(SYN_BASE + 0x1030, S);
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK(st.in_epilog);
    CHECK_EQ(st.caller.r[KDX_X64_RBX], 0xe2);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 0x30);
    world_free(w);
}

TEST(unwind_x64_frame_register_and_save)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    syn_put64(w, S + 0x100, 0xbbbb);          /* pushed rbp */
    syn_put64(w, S + 0x108, SYN_BASE + 0x1300); /* return address */
    syn_put64(w, S + 0x118, 0x5151);          /* rsi in the home area */
    /* rsp moved lower by an alloca: the frame register still finds the frame. */
    kdx_context c = ctx_at(SYN_BASE + 0x1080, S - 0x40);
    kdx_ctx_set(&c, KDX_X64_RBP, S + 0x20);
    kdx_unwind_step st;
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.establisher, S);
    CHECK_EQ(st.caller.r[KDX_X64_RBP], 0xbbbb);
    CHECK_EQ(st.caller.r[KDX_X64_RSI], 0x5151);
    CHECK_EQ(st.caller.r[KDX_X64_RIP], SYN_BASE + 0x1300);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 0x110);
    world_free(w);
}

TEST(unwind_x64_chained_and_leaf)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    syn_put64(w, S + 0x40, 0xd1d1);
    syn_put64(w, S + 0x48, SYN_BASE + 0x1300);
    kdx_context c = ctx_at(SYN_BASE + 0x1204, S);
    kdx_unwind_step st;
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_X64_RDI], 0xd1d1);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 0x50);
    CHECK_EQ(st.fn.begin_rva, 0x1200);
    /* The leaf at 0x1300 returns through [rsp]. */
    syn_put64(w, S, SYN_BASE + 0x1010);
    c = ctx_at(SYN_BASE + 0x1300, S);
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK(st.leaf);
    CHECK_EQ(st.caller.r[KDX_X64_RIP], SYN_BASE + 0x1010);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], S + 8);
    world_free(w);
}

TEST(unwind_x64_machine_frame)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    uint64_t M = S + 0x80 + 8; /* past the error code */
    syn_put64(w, M, SYN_BASE + 0x1010);  /* rip */
    syn_put64(w, M + 8, 0x10);           /* cs */
    syn_put64(w, M + 16, 0x10282);       /* eflags */
    syn_put64(w, M + 24, SYN_STACK + 0x800); /* rsp */
    syn_put64(w, M + 32, 0x18);          /* ss */
    kdx_context c = ctx_at(SYN_BASE + 0x1230, S);
    kdx_unwind_step st;
    CHECK_OK(kdx_x64_unwind(&env, &c, &st, NULL));
    CHECK(st.machine_frame);
    CHECK_EQ(st.caller.r[KDX_X64_RIP], SYN_BASE + 0x1010);
    CHECK_EQ(st.caller.r[KDX_X64_RSP], SYN_STACK + 0x800);
    CHECK_EQ(st.caller.r[KDX_X64_EFL], 0x10282);
    CHECK_EQ(st.caller.r[KDX_X64_SS], 0x18);
    world_free(w);
}

TEST(unwind_x64_chain_loop_is_reported)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    kdx_context c = ctx_at(SYN_BASE + 0x1244, SYN_STACK + 0x100);
    kdx_unwind_step st;
    kdx_err err = {0};
    CHECK_EQ(kdx_x64_unwind(&env, &c, &st, &err), KDX_E_LIMIT);
    CHECK_CONTAINS(err.msg, "chained unwind info loops");
    world_free(w);
}

TEST(unwind_x64_missing_stack_is_error)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    kdx_context c = ctx_at(SYN_BASE + 0x1010, 0x5000);
    kdx_unwind_step st;
    kdx_err err = {0};
    CHECK_EQ(kdx_x64_unwind(&env, &c, &st, &err), KDX_E_MEM_MISSING);
    CHECK_CONTAINS(err.msg, "cannot read a pushed register at 00000000`00005020");
    world_free(w);
}

TEST(unwind_stack_walk_three_frames)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    /* F1 (0x1010) <- F2 (0x1080) <- leaf (0x1300) <- 0 */
    syn_put64(w, S + 0x20, 0xb0b0);
    syn_put64(w, S + 0x28, SYN_BASE + 0x1080);
    syn_put64(w, S + 0x130, 0xbbbb);
    syn_put64(w, S + 0x138, SYN_BASE + 0x1300);
    syn_put64(w, S + 0x140, 0);
    kdx_context c = ctx_at(SYN_BASE + 0x1010, S);
    kdx_ctx_set(&c, KDX_X64_RBP, S + 0x50);
    kdx_stack stk;
    CHECK_OK(kdx_stack_walk(&env, &c, 100, &stk, NULL));
    REQUIRE(stk.len == 3);
    CHECK_EQ(stk.frames[0].child_sp, S);
    CHECK_EQ(stk.frames[0].ret_addr, SYN_BASE + 0x1080);
    CHECK_EQ(stk.frames[1].child_sp, S + 0x30);
    CHECK_EQ(stk.frames[1].ret_addr, SYN_BASE + 0x1300);
    CHECK_EQ(stk.frames[2].child_sp, S + 0x140);
    CHECK_EQ(stk.frames[2].ret_addr, 0);
    CHECK_EQ(stk.frames[2].end, KDX_FRAME_END_ZERO);
    kdx_stack_free(&stk);
    /* A frame count limit stops the walk with the last return address known. */
    CHECK_OK(kdx_stack_walk(&env, &c, 2, &stk, NULL));
    REQUIRE(stk.len == 2);
    CHECK_EQ(stk.frames[1].end, KDX_FRAME_END_LIMIT);
    CHECK(stk.frames[1].has_ret);
    kdx_stack_free(&stk);
    /* Frame 0 at a pc outside every module (a call through a bad pointer): the
     * return address is at [rsp], flagged as a heuristic. */
    syn_put64(w, S - 8, SYN_BASE + 0x1010);
    kdx_context bad = c;
    kdx_ctx_set(&bad, KDX_X64_RIP, 0);
    kdx_ctx_set(&bad, KDX_X64_RSP, S - 8);
    CHECK_OK(kdx_stack_walk(&env, &bad, 100, &stk, NULL));
    REQUIRE(stk.len == 4);
    CHECK(stk.frames[0].heuristic);
    CHECK_EQ(stk.frames[0].ret_addr, SYN_BASE + 0x1010);
    CHECK_EQ(stk.frames[1].child_sp, S);
    kdx_stack_free(&stk);
    /* An address outside every module ends the walk with a reason. */
    syn_put64(w, S + 0x28, 0x12345678);
    CHECK_OK(kdx_stack_walk(&env, &c, 100, &stk, NULL));
    REQUIRE(stk.len == 2);
    CHECK_EQ(stk.frames[1].end, KDX_FRAME_END_NO_UNWIND);
    CHECK_CONTAINS(stk.frames[1].note, "is not in any loaded module");
    kdx_stack_free(&stk);
    world_free(w);
}

TEST(unwind_x86_frame_programs)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    uint64_t S = SYN_STACK + 0x100;
    syn_put64(w, S, 0x0012ff70 | (0x00404200ull << 32)); /* [ebp] saved ebp, [ebp+4] return */
    kdx_context c = {.arch = KDX_ARCH_X86};
    kdx_ctx_set(&c, KDX_X86_EBP, S);
    kdx_ctx_set(&c, KDX_X86_ESP, S - 0x10);
    kdx_ctx_set(&c, KDX_X86_EIP, 0x40429e);
    kdx_x86_program_vars vars = {.cb_saved_regs = 4, .cb_locals = 8};
    uint32_t assigned;
    kdx_context r = c;
    CHECK_OK(kdx_x86_eval_program(&env, "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = "
                                        "$L $T0 .cbSavedRegs - = $P $T0 8 + .cbParams + =",
                                  &vars, &r, &assigned, NULL));
    CHECK_EQ(r.r[KDX_X86_EIP], 0x00404200);
    CHECK_EQ(r.r[KDX_X86_EBP], 0x0012ff70);
    CHECK_EQ(r.r[KDX_X86_ESP], S + 8);
    CHECK(assigned & (1u << KDX_X86_EIP));
    /* Operators glued to the next name, as some PDB programs store them. */
    r = c;
    CHECK_OK(kdx_x86_eval_program(&env, "$T0 $ebp 0 + =$eip $T0 4 + ^ =$ebp $T0 ^ = $esp $T0 8 + = ", &vars, &r,
                                  &assigned, NULL));
    CHECK_EQ(r.r[KDX_X86_EIP], 0x00404200);
    CHECK_EQ(r.r[KDX_X86_EBP], 0x0012ff70);
    /* Alignment and arithmetic. */
    r = c;
    CHECK_OK(kdx_x86_eval_program(&env, "$ebx 1234 8 @ = $esi 7 3 % 10 * =", &vars, &r, &assigned, NULL));
    CHECK_EQ(r.r[KDX_X86_EBX], 1232);
    CHECK_EQ(r.r[KDX_X86_ESI], 10);
    kdx_err err = {0};
    CHECK_EQ(kdx_x86_eval_program(&env, "$eip +", &vars, &r, &assigned, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "needs 2 operands");
    CHECK_EQ(kdx_x86_eval_program(&env, "$eip $T5 =", &vars, &r, &assigned, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "unset variable");
    CHECK_EQ(kdx_x86_eval_program(&env, "$eip 1 0 / =", &vars, &r, &assigned, &err), KDX_E_FORMAT);
    CHECK_EQ(kdx_x86_eval_program(&env, "$eip 0x5000 ^ =", &vars, &r, &assigned, &err), KDX_E_MEM_MISSING);
    world_free(w);
}

/* ---- ARM64 ---- */

static kdx_runtime_function arm64_fn;

static kdx_status arm64_lookup(void *ud, uint32_t rva, kdx_runtime_function *out, kdx_err *err)
{
    (void)ud;
    if (rva < arm64_fn.begin_rva || rva >= arm64_fn.end_rva)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no entry");
    *out = arm64_fn;
    return KDX_OK;
}

static kdx_status arm64_find(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    kdx_status st = syn_find_image(ud, addr, out, err);
    out->lookup = arm64_lookup;
    return st;
}

static kdx_context arm64_ctx(uint64_t pc, uint64_t sp, uint64_t fp)
{
    kdx_context c = {.arch = KDX_ARCH_ARM64};
    for (int i = 0; i < KDX_ARM64_NREGS; i++)
        kdx_ctx_set(&c, i, 0);
    kdx_ctx_set(&c, KDX_ARM64_PC, pc);
    kdx_ctx_set(&c, KDX_ARM64_SP, sp);
    kdx_ctx_set(&c, KDX_ARM64_FP, fp);
    kdx_ctx_set(&c, KDX_ARM64_LR, 0x1111);
    return c;
}

TEST(unwind_arm64_packed_chained_frame)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    env.find_image = arm64_find;
    uint64_t S = SYN_STACK + 0x100;
    /* Flag 1, 16 instructions, RegI 2, CR 3 (fp/lr chained), FrameSize 4 (64 bytes). */
    uint32_t word = 1u | (0x10u << 2) | (2u << 16) | (3u << 21) | (4u << 23);
    arm64_fn = (kdx_runtime_function){.begin_rva = 0x2000, .end_rva = 0x2040, .unwind_rva = word, .packed = true, .flag = 1};
    syn_put64(w, S, 0xf00d);            /* caller fp */
    syn_put64(w, S + 8, SYN_BASE + 0x1010); /* lr */
    syn_put64(w, S + 48, 0x1919);       /* x19 */
    syn_put64(w, S + 56, 0x2020);       /* x20 */
    kdx_context c = arm64_ctx(SYN_BASE + 0x2020, S, S);
    kdx_unwind_step st;
    CHECK_OK(kdx_arm64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_ARM64_PC], SYN_BASE + 0x1010);
    CHECK_EQ(st.caller.r[KDX_ARM64_SP], S + 64);
    CHECK_EQ(st.caller.r[KDX_ARM64_FP], 0xf00d);
    CHECK_EQ(st.caller.r[19], 0x1919);
    CHECK_EQ(st.caller.r[20], 0x2020);
    /* At the first instruction the return address is still in lr. */
    c = arm64_ctx(SYN_BASE + 0x2000, S + 64, 0);
    CHECK_OK(kdx_arm64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_ARM64_PC], 0x1111);
    CHECK_EQ(st.caller.r[KDX_ARM64_SP], S + 64);
    world_free(w);
}

TEST(unwind_arm64_xdata_body_prolog_epilog)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    env.find_image = arm64_find;
    uint64_t S = SYN_STACK + 0x100;
    /* .xdata at 0x3900: 16 instructions, E=1 (epilog uses codes from index 0), 1 code word:
     * save_fplr_x #16 (0x81), save_r19r20_x #32 (0x24), end (0xe4). */
    uint32_t hdr = 0x10u | (1u << 21) | (0u << 22) | (1u << 27);
    kdx_put_le32(w->image + 0x3900, hdr);
    memcpy(w->image + 0x3904, "\x81\x24\xe4\xe4", 4);
    arm64_fn = (kdx_runtime_function){.begin_rva = 0x2000, .end_rva = 0x2040, .unwind_rva = 0x3900};
    syn_put64(w, S, 0xf00d);
    syn_put64(w, S + 8, SYN_BASE + 0x1020);
    syn_put64(w, S + 16, 0x1919);
    syn_put64(w, S + 24, 0x2020);
    kdx_unwind_step st;
    /* Body: both saves undone. */
    kdx_context c = arm64_ctx(SYN_BASE + 0x2010, S, S);
    CHECK_OK(kdx_arm64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_ARM64_PC], SYN_BASE + 0x1020);
    CHECK_EQ(st.caller.r[KDX_ARM64_SP], S + 48);
    CHECK_EQ(st.caller.r[19], 0x1919);
    /* Prolog after its first instruction (stp x19,x20,[sp,#-32]!): only that is undone; lr still holds the return. */
    c = arm64_ctx(SYN_BASE + 0x2004, S + 16, 0);
    CHECK_OK(kdx_arm64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_ARM64_SP], S + 48);
    CHECK_EQ(st.caller.r[KDX_ARM64_PC], 0x1111);
    CHECK_EQ(st.caller.r[20], 0x2020);
    /* Epilog (ldp fp,lr at 0x2034, ldp x19,x20 at 0x2038, ret): after ldp fp,lr only x19/x20 remain. */
    c = arm64_ctx(SYN_BASE + 0x2038, S + 16, 0);
    kdx_ctx_set(&c, KDX_ARM64_LR, SYN_BASE + 0x1030);
    CHECK_OK(kdx_arm64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_ARM64_SP], S + 48);
    CHECK_EQ(st.caller.r[KDX_ARM64_PC], SYN_BASE + 0x1030);
    /* At the ret nothing is left to undo. */
    c = arm64_ctx(SYN_BASE + 0x203c, S + 48, 0);
    kdx_ctx_set(&c, KDX_ARM64_LR, SYN_BASE + 0x1030);
    CHECK_OK(kdx_arm64_unwind(&env, &c, &st, NULL));
    CHECK_EQ(st.caller.r[KDX_ARM64_SP], S + 48);
    /* A code stream without an end code is an error. */
    memcpy(w->image + 0x3904, "\x81\x24\x24\x24", 4);
    c = arm64_ctx(SYN_BASE + 0x2010, S, S);
    kdx_err err = {0};
    CHECK_EQ(kdx_arm64_unwind(&env, &c, &st, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "without an end code");
    world_free(w);
}

TEST(unwind_info_version2_epilog_codes)
{
    /* amdppm!WriteIoMemRawEx: v2, prolog 4, two UWOP_EPILOG slots, then alloc 0x28. */
    const uint8_t b[] = {0x02, 0x04, 0x03, 0x00, 0x01, 0x06, 0x02, 0x06, 0x04, 0x42, 0x00, 0x00};
    kdx_x64_unwind_info ui;
    CHECK_OK(kdx_x64_unwind_info_parse(b, sizeof b, NULL, &ui, NULL));
    CHECK_EQ(ui.version, 2);
    CHECK_EQ(ui.size, 0xa);
    kdx_x64_unwind_code c;
    CHECK_OK(kdx_x64_unwind_code_at(&ui, 0, &c, NULL));
    CHECK(c.op == KDX_UWOP_EPILOG && c.nslots == 1);
    CHECK_OK(kdx_x64_unwind_code_at(&ui, 1, &c, NULL));
    CHECK(c.op == KDX_UWOP_EPILOG && c.operand == 2);
    CHECK_OK(kdx_x64_unwind_code_at(&ui, 2, &c, NULL));
    CHECK(c.op == KDX_UWOP_ALLOC_SMALL && c.operand == 0x28);
}

static kdx_status no_entry(void *ud, uint32_t index, kdx_runtime_function *out, kdx_err *err)
{
    (void)ud, (void)index, (void)out;
    return kdx_err_set(err, KDX_E_NOT_FOUND, "empty table");
}

/* The synthetic image, but with its function table known to be empty. */
static kdx_status find_image_without_pdata(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    kdx_status st = syn_find_image(ud, addr, out, err);
    if (st == KDX_OK) {
        out->nentries = 0;
        out->entry_at = no_entry;
    }
    return st;
}

TEST(unwind_x64_image_without_pdata_is_not_a_leaf)
{
    kdx_unwind_env env;
    syn_world *w = world_new(&env);
    env.find_image = find_image_without_pdata;
    uint64_t S = SYN_STACK + 0x100;
    syn_put64(w, S, SYN_BASE + 0x1010);
    kdx_context c = ctx_at(SYN_BASE + 0x1300, S);
    kdx_unwind_step st;
    kdx_err err = {0};
    /* With a table, 0x1300 would be a leaf returning through [rsp]; without
     * one, nothing says so, and the unwinder must not guess. */
    CHECK_EQ(kdx_x64_unwind(&env, &c, &st, &err), KDX_E_NOT_FOUND);
    CHECK_CONTAINS(err.msg, "synth has no function table (.pdata)");
    world_free(w);
}
