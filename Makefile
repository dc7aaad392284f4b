# mapdiag - a plain Makefile.  `make` builds ./mapdiag; `make check` sets up
# the machine (scripts/setup.sh), builds every Go test target and runs every
# test; `make demo` runs mapdiag against a bundled demo service.

CC       ?= gcc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE -I. -Isrc -Idwarf -I/usr/include/libdwarf
LDLIBS   += -ldwarf -lelf -lz -lunwind-ptrace -lunwind-generic -lunwind

BUILD    ?= build
BIN      ?= mapdiag
VERSION  := 0.1.0

LIB_SRCS := $(wildcard src/*.c) $(wildcard dwarf/*.c)
CMD_SRCS := $(wildcard cmd/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean check demo setup targets unit san bench
all: $(BIN)

$(BIN): $(CMD_OBJS) $(BUILD)/libmapdiag.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmapdiag.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DMD_VERSION='"$(VERSION)"' $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/md_test.h $(BUILD)/libmapdiag.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libmapdiag.a $(LDLIBS)

unit: $(UNIT_BINS)

# Unit tests under ASan+UBSan and a sanitized mapdiag (tests/run.sh runs
# them too).
san:
	@$(MAKE) --no-print-directory BUILD=build/san BIN=build/san/mapdiag \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" build/san/mapdiag unit

setup:
	@bash scripts/setup.sh

targets: setup
	@bash tests/build-targets.sh

check: setup
	@$(MAKE) --no-print-directory mapdiag unit
	@bash tests/build-targets.sh
	@bash tests/run.sh

demo: setup
	@$(MAKE) --no-print-directory mapdiag
	@bash scripts/demo.sh

clean:
	rm -rf $(BUILD) mapdiag testdata/bin tests/out

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)
