# fno-scanner — the two commands: `make run` and `make test`.
# Everything builds with CMake presets (build/<preset>) and Ninja.

PRESET   ?= release
BUILD    := build/$(PRESET)
BIN      := $(BUILD)/fno-scanner
ARGS     ?=
JOBS     ?= $(shell nproc)

.PHONY: run test e2e soak build bootstrap bench asan fuzz fmt lint clean install package ui

# `make e2e` also needs Debian's Chromium for the dashboard browser suite.
bootstrap:
	@scripts/bootstrap.sh $(BOOTSTRAP_FLAGS)

e2e: BOOTSTRAP_FLAGS := --e2e

# The dashboard (ui/, TypeScript + Vite) is built first: the C++ build embeds ui/dist.
UI_SOURCES := $(shell find ui/src ui/public ui/index.html ui/vite.config.ts ui/tsconfig.json -type f 2>/dev/null)
ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error

ui/dist/index.html: ui/node_modules/.package-lock.json $(UI_SOURCES)
	cd ui && npm run build --silent

ui: bootstrap ui/dist/index.html

build: ui
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

# Demo mode (built-in Dhan simulator) unless DHAN_CLIENT_ID/DHAN_ACCESS_TOKEN are set.
run: build
	@test -f config.json || cp config.example.json config.json
	$(BIN) --config config.json $(ARGS)

# Unit + integration tests in parallel, then the dashboard's browser suite
# (headless Chromium against the demo binary, about 2 minutes: it waits for a
# live alert). Bootstrap adds Debian's Chromium for it.
test: BOOTSTRAP_FLAGS := --e2e
test: build
	cd ui && npm test --silent
	ctest --preset $(PRESET) -j $(JOBS) -LE 'e2e|soak_full'
	ctest --preset $(PRESET) -L e2e --output-on-failure

# The browser suite alone.
e2e: build
	ctest --preset $(PRESET) -L e2e --output-on-failure

# Chaos soak: a full accelerated trading day (2,000 instruments, 60x, faults,
# three kill -9), about 7 minutes; `make test` runs the short version.
soak: build
	ctest --preset $(PRESET) -L soak_full --output-on-failure

asan: ui
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) -LE 'e2e|soak'

# Google Benchmark suites, reference ratios vs Python, end-to-end loads and wrk;
# one summary table at the end (bench/run_all.sh). Installs wrk (bench only).
bench: BOOTSTRAP_FLAGS := --bench
bench: build
	@bench/run_all.sh $(BUILD)

# libFuzzer with Debian's clang (bootstrap --fuzz), in build/fuzz: every target
# in tests/fuzz for FUZZ_SECONDS each, starting from the committed seeds. New
# inputs go to build/fuzz/corpus/<target>, crashes to build/fuzz/crash-*; a
# crash stops the run. CI replays the seeds under gcc instead (fuzz_*_replay).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := decode instruments_csv subscribe history_reply config dotenv telegram_reply http
FUZZ_BUILD   := build/fuzz
fuzz: BOOTSTRAP_FLAGS := --fuzz
fuzz: bootstrap
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DFNO_FUZZ=ON -DFNO_WERROR=OFF -DFNO_BUILD_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fno_fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	  $(FUZZ_BUILD)/tests/fuzz/fno_fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

fmt:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# clang-tidy on C++ files changed against main (or HEAD~1 on main itself).
lint: build
	@files=$$(git diff --name-only --diff-filter=d $$(git merge-base HEAD main 2>/dev/null || echo HEAD) -- '*.cpp'); \
	[ -z "$$files" ] || clang-tidy -p $(BUILD) $$files

# Installs the binary, systemd unit, templates and docs (cmake/Packaging.cmake).
PREFIX   ?= /usr/local
install: bootstrap
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) --target fno-scanner -j $(JOBS)
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# The .deb (CPack), in $(BUILD)/.
package: bootstrap
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) --target fno-scanner -j $(JOBS)
	@cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/*.deb

clean:
	rm -rf build
