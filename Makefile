# kdx: Windows crash-dump debugger for Linux.
#   make            build build/kdx and build/libkdx.a (installs missing Debian packages first)
#   make test       build and run every test (unit, golden transcripts, real data)
#   make demo       run kdx on the bundled sample dump (and the shared triage dump if present)
#   make asan       the test suite under AddressSanitizer + UBSan
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (clang)
#   make fuzz-long  each target for FUZZ_LONG_SECONDS, recorded in fuzz/RESULTS.md
#   make bench      benchmarks (bench/), not part of the tests
# CC=clang works everywhere CC=gcc does.

.DEFAULT_GOAL := all
BUILD    ?= build
OPT      ?= -O2 -g
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
PKGS     := capstone libcurl libedit jansson liblzma libzstd libmspack
DEPS_OK  := $(BUILD)/.deps-ok

# Loaded with dlopen on first use unless LAZY_LIBS=0 (base/lazylib.h): most
# runs need no network, disassembler or line editor, nor their dependencies.
LAZY_LIBS ?= 1
LAZY_PKGS := capstone libcurl libedit
LINK_PKGS = $(if $(filter 1,$(LAZY_LIBS)),$(filter-out $(LAZY_PKGS),$(PKGS)),$(PKGS))
# Deferred (=) so pkg-config runs after the dependency check installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(LINK_PKGS)) -lm -lpthread -ldl
ifneq ($(LAZY_LIBS),1)
CPPFLAGS  += -DKDX_NO_LAZY_LIBS
endif
CPPFLAGS  += -D_GNU_SOURCE -Isrc -I. -Iinclude -I$(BUILD)/gen
# -fPIC: the same objects make libkdx.a and libkdx.so.
ALL_CFLAGS = $(WARN) $(OPT) -fPIC $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP

# Library sources: every module folder but the CLI. Modules may add generated
# sources and rules in src/<module>/*.mk (GEN_SRC += $(BUILD)/gen/x.c).
GEN_SRC  :=
-include $(wildcard src/*/*.mk)
LIB_SRC  := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC  := $(filter-out src/cli/main.c,$(wildcard src/cli/*.c))
TEST_SRC := $(wildcard tests/*.c tests/unit/*.c tests/realdata/*.c)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ  := $(call obj,$(LIB_SRC)) $(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(GEN_SRC))
CLI_OBJ  := $(call obj,$(CLI_SRC))
TEST_OBJ := $(call obj,$(TEST_SRC))

# The shared library's name follows include/kdx.h's KDX_SOVERSION.
SOVERSION := $(shell sed -n 's/^\#define KDX_SOVERSION \([0-9]*\)$$/\1/p' include/kdx.h)
SONAME    := libkdx.so.$(SOVERSION)

.PHONY: all test asan fuzz fuzz-build fuzz-long demo bench clean deps
all: $(BUILD)/kdx $(BUILD)/libkdx.a $(BUILD)/$(SONAME)

deps: $(DEPS_OK)
$(DEPS_OK): scripts/setup-deps.sh
	@scripts/setup-deps.sh build
	@mkdir -p $(@D) && touch $@

# Objects depend on the compiler and its flags: a build directory made with
# other flags (before -fPIC, another OPT) is rebuilt, not linked stale.
FLAGS_STAMP := $(BUILD)/.cflags
FLAGS_TEXT   = $(CC) $(WARN) $(OPT) -fPIC $(CPPFLAGS) $(CFLAGS)
.PHONY: FORCE
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(FLAGS_TEXT)' | cmp -s - $@ || echo '$(FLAGS_TEXT)' > $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_STAMP) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | $(DEPS_OK) $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libkdx.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/kdx: $(BUILD)/obj/src/cli/main.o $(CLI_OBJ) $(BUILD)/libkdx.a
	$(CC) $(OPT) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libkdx.a $(PKG_LIBS)

# The hostile symbol server of the tests builds its gzip and CAB bombs with zlib.
TEST_LIBS := -lz
$(BUILD)/kdx-tests: $(TEST_OBJ) $(CLI_OBJ) $(BUILD)/libkdx.a
	$(CC) $(OPT) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libkdx.a $(PKG_LIBS) $(TEST_LIBS)

test: all $(BUILD)/kdx-tests
	@scripts/check-layers.sh
	@scripts/setup-deps.sh test
	KDX_BIN=$(BUILD)/kdx KDX_BUILD=$(BUILD) PYTHON=$(PYTHON) $(BUILD)/kdx-tests $(TESTS)

# Sanitizer build of the whole suite, in its own build directory.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" test

# libFuzzer targets: the library built with coverage instrumentation, one binary per fuzz/fuzz_*.c.
FUZZ_SECONDS ?= 20
FUZZ_BUILD   := build-fuzz
FUZZ_FLAGS   := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS ?= $(basename $(notdir $(FUZZ_SRC)))
fuzz-build:
	@scripts/setup-deps.sh fuzz
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang OPT="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/libkdx.a
	@set -e; for name in $(FUZZ_TARGETS); do \
	  clang $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer $(CPPFLAGS) $$(pkg-config --cflags $(PKGS)) \
	    fuzz/$$name.c $(FUZZ_BUILD)/libkdx.a $$(pkg-config --libs $(PKGS)) -lm -lpthread -o $(FUZZ_BUILD)/$$name; \
	done

fuzz: fuzz-build
	@set -e; for name in $(FUZZ_TARGETS); do \
	  echo "== $$name ($(FUZZ_SECONDS) s)"; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$name fuzz/corpus/$$name; \
	  $(FUZZ_BUILD)/$$name -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 \
	    -print_final_stats=1 $(FUZZ_BUILD)/corpus/$$name fuzz/corpus/$$name $$(scripts/fuzz-seeds.sh $$name); \
	done

# Long campaigns: FUZZ_LONG_SECONDS per target (an hour by default), each run
# recorded in fuzz/RESULTS.md and its new coverage merged into fuzz/corpus/.
FUZZ_LONG_SECONDS ?= 3600
fuzz-long: fuzz-build
	@scripts/fuzz-long.sh $(FUZZ_BUILD) $(FUZZ_LONG_SECONDS) $(FUZZ_TARGETS)

demo: all
	@scripts/demo.sh $(BUILD)/kdx

bench: all
	@scripts/setup-deps.sh bench
	@bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz

# ---- issue 16: the shared library, install, Python (the public API is include/kdx.h) ----
# The Python the package and its tests run with: Debian's, not a pyenv shim on PATH.
PYTHON    ?= /usr/bin/python3
# Only the functions include/kdx.h declares are exported.
$(BUILD)/libkdx.map: include/kdx.h scripts/kdx-exports.sh
	@mkdir -p $(@D)
	scripts/kdx-exports.sh map include/kdx.h > $@

$(BUILD)/$(SONAME): $(LIB_OBJ) $(BUILD)/libkdx.map
	$(CC) -shared $(OPT) $(CFLAGS) $(LDFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script=$(BUILD)/libkdx.map \
	  -Wl,--no-undefined -o $@ $(LIB_OBJ) $(PKG_LIBS)
	ln -sf $(SONAME) $(BUILD)/libkdx.so

# The HTML triage report rendered by chromium headless (installed here, not by
# `make test`): its DOM table against the JSON summary, its screenshot not blank.
.PHONY: test-browser
test-browser: all
	@scripts/setup-deps.sh test browser
	scripts/test-browser.sh $(BUILD) $(PYTHON)

# make install PREFIX=... [DESTDIR=...]: scripts/install.sh lists what goes where.
PREFIX ?= /usr/local
.PHONY: install
install: all
	scripts/install.sh $(BUILD) $(PREFIX)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# No upward #include between src/ folders (order in the script, docs/ARCHITECTURE.md).
.PHONY: check-layers
check-layers:
	@scripts/check-layers.sh
