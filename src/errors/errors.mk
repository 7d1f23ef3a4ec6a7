# Error-code name tables generated at build time from the Windows headers in
# Debian's mingw-w64-common (installed by scripts/setup-deps.sh build).
MINGW_INC ?= /usr/share/mingw-w64/include
GEN_SRC += $(BUILD)/gen/error_tables.c

$(BUILD)/gen/error_tables.c: src/errors/gen_tables.awk src/errors/errors.mk | $(DEPS_OK)
	@mkdir -p $(@D)
	@for h in winerror.h ntstatus.h; do \
	  [ -r $(MINGW_INC)/$$h ] || { echo "error tables: $(MINGW_INC)/$$h is missing (install mingw-w64-common)" >&2; exit 1; }; \
	done
	awk -f src/errors/gen_tables.awk $(MINGW_INC)/winerror.h $(MINGW_INC)/ntstatus.h > $@.tmp
	@mv $@.tmp $@
