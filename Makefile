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
#   make check-tsan the threaded tests under ThreadSanitizer (build-tsan/)
#   make check-clang build everything with clang, -Werror (build-clang/)
#   make analyze    clang static analysis (scripts/analyze.sh, build-scan/)
#   make coverage   gcov branch coverage report (scripts/coverage.sh,
#                   build-cov/coverage/)
#   make fuzz       build and run the fuzzers (FUZZ_SECONDS each)
#   make mutate     mutation testing: plant each bug of scripts/mutants.txt
#                   in a scratch copy (build-mutate/), run the tests that
#                   should catch it, print the score (not in CI)
#   make qemu       Debian's QEMU with our patch series qemu/*.patch,
#                   cached (scripts/qemu/build.sh; build-qemu/)
#   make check-qemu make qemu, then QEMU's qtests for the patched code and
#                   scripts/qemu/smoke.sh (cached by a stamp)
#   make check-guest a real Linux guest under Debian's QEMU and the patched
#                   QEMU (qemu/), side by side (tests/guest/, build/guest/);
#                   caches under /var/cache/sparsevm/
#   make install    meson install of build/: sparsevm, the dump client as
#                   sparsevm-dump-guest-memory, docs/system as
#                   share/doc/sparsevm (PREFIX=/usr/local, DESTDIR honoured)
#   make clean

BUILD       ?= build
ASAN_BUILD  ?= build-asan
TSAN_BUILD  ?= build-tsan
CLANG_BUILD ?= build-clang
MESON_TEST  ?= meson test --print-errorlogs --num-processes 2
FUZZ_SECONDS ?= 60

PREFIX      ?= /usr/local

.PHONY: install all deps check check-plain check-asan check-tsan check-clang analyze \
	coverage demo bench fuzz mutate qemu check-qemu check-guest clean

all: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps.sh build

install: all
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir "$(DESTDIR)")

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
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp $${TSAN_OPTIONS:-}" \
	  $(MESON_TEST) -C $(TSAN_BUILD) --suite tsan --timeout-multiplier 3

$(CLANG_BUILD)/build.ninja:
	CC=clang meson setup $(CLANG_BUILD)

# warning_level=2 and werror=true are the project defaults: this is
# -Wall -Wextra -Werror with clang (the other builds use gcc).
check-clang: check-deps $(CLANG_BUILD)/build.ninja
	ninja -C $(CLANG_BUILD)

analyze: check-deps
	scripts/analyze.sh

coverage: check-deps
	scripts/coverage.sh

demo: check-deps all
	@scripts/install-deps.sh demo
	scripts/demo.py --build $(BUILD) $(if $(DEMO_FAST),--fast,)

bench: all
	@scripts/install-deps.sh bench
	scripts/bench/run-all.py --build $(BUILD)
	scripts/bench/vs-qemu.py --build $(BUILD)
	scripts/bench/live-bench.py --build $(BUILD)

fuzz:
	@scripts/install-deps.sh fuzz
	scripts/fuzz.sh $(FUZZ_SECONDS)

mutate: check-deps
	scripts/mutate.py

qemu:
	scripts/qemu/build.sh

check-qemu:
	scripts/qemu/build.sh --check

# Needs no sparsevm build: it tests QEMU.  tests/guest/check_guest.py
# installs what it needs (install-deps.sh guest) and builds the patched
# QEMU with scripts/qemu/build.sh when that exists.
check-guest:
	@scripts/install-deps.sh guest
	/usr/bin/python3 tests/guest/check_guest.py $(CHECK_GUEST_ARGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(CLANG_BUILD) build-fuzz \
	  build-scan build-cov build-ci build-mutate
