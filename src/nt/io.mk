# I/O manager name tables (IRP_MJ_/IRP_MN_ names, IRP and device flags,
# device types and characteristics) generated at build time from mingw-w64's
# DDK header in Debian's mingw-w64-common (scripts/setup-deps.sh build).
MINGW_INC ?= /usr/share/mingw-w64/include
GEN_SRC += $(BUILD)/gen/io_names.c

$(BUILD)/gen/io_names.c: src/nt/gen_io_names.awk src/nt/io.mk | $(DEPS_OK)
	@mkdir -p $(@D)
	@[ -r $(MINGW_INC)/ddk/wdm.h ] || { echo "io names: $(MINGW_INC)/ddk/wdm.h is missing (install mingw-w64-common)" >&2; exit 1; }
	awk -f src/nt/gen_io_names.awk $(MINGW_INC)/ddk/wdm.h > $@.tmp
	@mv $@.tmp $@
