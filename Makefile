# SPDX-License-Identifier: GPL-2.0-or-later
#
# A thin wrapper around meson, in QEMU's spirit.  Every target first makes
# sure the Debian packages it needs are installed (scripts/install-deps.sh,
# quiet when all is present).
#
#   make            build (build/)
#   make check      build and run every test, plain and ASan+UBSan
#   make demo       the end-to-end demonstration (DEMO_FAST=1: small sizes)
#   make bench      the benchmarks, with plots in build/bench/
#   make fuzz       build and run the fuzzers (FUZZ_SECONDS each)
#   make clean

BUILD       ?= build
ASAN_BUILD  ?= build-asan
TSAN_BUILD  ?= build-tsan
MESON_TEST  ?= meson test --print-errorlogs --num-processes 2
FUZZ_SECONDS ?= 60

.PHONY: all deps check check-plain check-asan check-tsan demo bench fuzz clean

all: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dsanitizers=true

$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) -Dtsan=true

check-deps:
	@scripts/install-deps.sh check

# Both builds run even if the first fails; the target fails if either did.
check: check-deps $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja
	ninja -C $(BUILD)
	ninja -C $(ASAN_BUILD)
	@status=0; \
	$(MESON_TEST) -C $(BUILD) || status=1; \
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MESON_TEST) -C $(ASAN_BUILD) || status=1; \
	exit $$status

check-tsan: check-deps $(TSAN_BUILD)/build.ninja
	ninja -C $(TSAN_BUILD)
	$(MESON_TEST) -C $(TSAN_BUILD) --suite tsan

demo: check-deps all
	@scripts/install-deps.sh demo
	scripts/demo.py --build $(BUILD) $(if $(DEMO_FAST),--fast,)

bench: all
	@scripts/install-deps.sh bench
	scripts/bench/run-all.py --build $(BUILD)

fuzz:
	@scripts/install-deps.sh fuzz
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz
