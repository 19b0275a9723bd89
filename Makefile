# Lumen: the two commands are `make demo` and `make test`.
SWIFT ?= swift
OUT ?= out

.PHONY: install setup build release demo test attack bench clean fixtures models movielens report-check serve api-check load zoo fuzz format lint

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

## release: one release build of every product (lumen, lumen-bench, lumen-fuzz's replay), so a second
## `make demo` or `make serve` rebuilds nothing.
release: setup
	$(SWIFT) build -c release

## install: the release `lumen` into $(PREFIX)/bin (default /usr/local/bin).
PREFIX ?= /usr/local
install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$$($(SWIFT) build -c release --show-bin-path)/lumen" "$(DESTDIR)$(PREFIX)/bin/lumen"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/lumen"

## demo: set up, build, and explain the shipped photos with EigenCAM.
demo: release
	@mkdir -p $(OUT)
	@scripts/demo "$$($(SWIFT) build -c release --show-bin-path)" "$(OUT)"

## test: set up, build and run the whole test suite, then check deploy/ with promtool.
test: setup lint
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	$(SWIFT) test --skip-build --parallel
	@scripts/check-deploy

## serve: the HTTP API on 127.0.0.1:8080 over the shipped models.
serve: release
	"$$($(SWIFT) build -c release --show-bin-path)/lumen" serve --models models

## api-check: schemathesis (from openapi.yaml) against a live server on loopback.
api-check: release
	@scripts/api-check "$$($(SWIFT) build -c release --show-bin-path)" "$(OUT)"

## load: wrk load test on loopback (about 3 minutes).
load: release
	@scripts/load/run "$$($(SWIFT) build -c release --show-bin-path)" "$(OUT)"

## attack: hostile clients against a live server on loopback (bounded, about a minute): slow heads,
## 1 000 idle sockets under a 512-fd limit, multipart worst case, PNG bombs, concurrent audit reads;
## fails if /healthz is ever slower than 1 s or the server's RSS passes RSS_BOUND_MB (1500).
attack: release
	@scripts/attack "$$($(SWIFT) build -c release --show-bin-path)" "$(OUT)"

## bench: benchmarks with the Python peers in the same run.
bench: release
	"$$($(SWIFT) build -c release --show-bin-path)/lumen-bench" cam
	"$$($(SWIFT) build -c release --show-bin-path)/lumen-bench" recs
	"$$($(SWIFT) build -c release --show-bin-path)/lumen-bench" drift
	"$$($(SWIFT) build -c release --show-bin-path)/lumen-bench" onnx

## report-check: render a drift HTML report in headless Chromium and save a screenshot.
report-check: build
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@mkdir -p $(OUT)
	-"$$($(SWIFT) build --show-bin-path)/lumen" drift images --reference fixtures/drift/images/reference \
		--current fixtures/drift/images/current --html $(OUT)/images-report.html --json $(OUT)/images-report.json
	chromium --headless --no-sandbox --disable-gpu --window-size=1100,1250 \
		--screenshot=$(OUT)/images-report.png file://$(CURDIR)/$(OUT)/images-report.html
	@test -s $(OUT)/images-report.png && echo "screenshot: $(OUT)/images-report.png"

## models: regenerate the shipped synthetic EMF model.
models: release
	"$$($(SWIFT) build -c release --show-bin-path)/lumen" recs synthesize --users 600 --items 400 --per-user 40 --seed 42 --out fixtures/recs/synthetic.tsv
	"$$($(SWIFT) build -c release --show-bin-path)/lumen" recs train --ratings fixtures/recs/synthetic.tsv --factors 32 --quiet --out models/emf-synthetic.safetensors
	"$$($(SWIFT) build -c release --show-bin-path)/lumen" drift profile --features fixtures/drift/features_reference.csv --out models/tabular-demo.profile.json
	"$$($(SWIFT) build -c release --show-bin-path)/lumen" drift profile --factors models/emf-synthetic.safetensors --out models/emf-synthetic-users.profile.json

## movielens: fetch MovieLens-100k into data/ (not redistributed).
movielens:
	scripts/fetch-movielens

## fixtures: regenerate every committed fixture (needs the Python packages named in each script).
fixtures:
	python3 scripts/make-cam-fixtures.py
	python3 scripts/make-imaging-fixtures.py
	python3 scripts/make-demo-fixtures.py
	python3 scripts/make-recs-fixtures.py
	python3 scripts/make-drift-fixtures.py
	python3 scripts/make-onnx-fixtures.py
	python3 scripts/export-efficientnet-lite0.py
	python3 scripts/export-yolov8n.py

clean:
	rm -rf .build $(OUT)

## zoo: export the ONNX conformance zoo (cached in data/zoo; needs torch, torchvision, ultralytics,
## onnx, onnxruntime from PyPI) and run every member through Lumen against onnxruntime.
zoo: release
	python3 scripts/export-onnx-zoo.py data/zoo
	"$$($(SWIFT) build -c release --show-bin-path)/lumen-bench" zoo --dir data/zoo

## fuzz: build lumen-fuzz with libFuzzer + AddressSanitizer (own scratch path) and run every
## target for FUZZ_SECONDS (default 60) from its committed corpus; crashes land in Fuzz/crashes/.
## FUZZ_RUNS=N stops a target after N executions too; FUZZ_JOBS=N runs N targets at a time.
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
FUZZ_JOBS ?= 1
FUZZ_TARGETS ?= onnx npy safetensors json-tensor emf-model ratings csv profile sidecar image multipart id-lists
fuzz: setup
	$(SWIFT) build --product lumen-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	@FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz \
		"$$($(SWIFT) build --scratch-path .build-fuzz --show-bin-path)/lumen-fuzz" $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## format / lint: swift-format with the repo's .swift-format over every Swift file but the
## generated protobuf code; lint fails on any finding, and on any import Package.swift does not
## declare exactly (scripts/check-imports; CI runs lint inside make test).
SWIFT_FILES = $(shell git ls-files --cached --others --exclude-standard 'Sources/*.swift' 'Tests/*.swift' 'Package.swift' | grep -v '\.pb\.swift$$\|\.generated\.swift$$')
format:
	@$(SWIFT) format format --in-place --parallel --configuration .swift-format $(SWIFT_FILES)
lint:
	@echo "swift format lint: $(words $(SWIFT_FILES)) files"
	@$(SWIFT) format lint --strict --parallel --configuration .swift-format $(SWIFT_FILES)
	@scripts/check-imports
