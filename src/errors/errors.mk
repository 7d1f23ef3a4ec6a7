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

# Message texts of the [MS-ERREF] open specification, from the data files
# committed under src/errors/data (provenance in their headers;
# scripts/import-error-texts.sh regenerates them).
ERROR_TEXT_DATA := src/errors/data/win32.tsv src/errors/data/ntstatus.tsv src/errors/data/hresult.tsv
GEN_SRC += $(BUILD)/gen/error_texts.c

$(BUILD)/gen/error_texts.c: src/errors/gen_texts.awk $(ERROR_TEXT_DATA)
	@mkdir -p $(@D)
	awk -f src/errors/gen_texts.awk $(ERROR_TEXT_DATA) > $@.tmp
	@mv $@.tmp $@
