# Bug-check names generated from mingw-w64-common's bugcodes.h.
BUGCODES_H := /usr/share/mingw-w64/include/bugcodes.h
GEN_SRC += $(BUILD)/gen/bugcodes.c
$(BUILD)/gen/bugcodes.c: scripts/gen-bugcodes.sh src/analysis/bugcheck_extra.txt | $(DEPS_OK)
	@mkdir -p $(@D)
	scripts/gen-bugcodes.sh $(BUGCODES_H) src/analysis/bugcheck_extra.txt $@
