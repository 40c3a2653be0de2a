# Roster: see README.md. `make run` starts the local server; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
DATA ?= .roster
ADDR ?= 127.0.0.1:8080
FUNCTIONS := $(notdir $(wildcard functions/*))
STATICCHECK_VERSION := v0.8.2
BENCHTIME ?= 1x
BENCH ?= .

.PHONY: all build test unit test-infra test-web bench-web lint run demo bench clean local-stack local-stack-stop tools synth deploy

all: lint test

## build: a linux/arm64 `bootstrap` per Lambda under dist/<function>/, and bin/roster
build:
	@mkdir -p bin
	$(GO) build -o bin/roster ./cmd/roster
	@for fn in $(FUNCTIONS); do \
		echo "build functions/$$fn"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' \
			-o dist/$$fn/bootstrap ./functions/$$fn || exit 1; \
	done

## test: lint, then every test (CI=true makes the emulator and node tests mandatory)
test: lint unit test-infra test-web

unit:
	$(GO) test -count=1 ./...

## test-infra: the CDK assertions and the state machine run end to end (needs node: npm ci --prefix infra)
test-infra: build
	@if [ ! -d infra/node_modules ] && [ "$$CI" != true ]; then \
		echo "test-infra: skipped: run 'npm ci --prefix infra' first (CI runs it)"; exit 0; fi; \
	cd infra && test -z "$$(gofmt -l $$(git ls-files "*.go"))" && $(GO) vet ./... && \
		PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck ./... && \
		JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(GO) test -count=1 ./...

## test-web: the admin page in Debian's chromium (needs: apt-get install chromium; npm ci --prefix web/test)
test-web:
	node web/test/run.mjs

## bench-web: the review of a 100,000-row file in the page (time to first grid page, to apply an edit; JS heap)
bench-web:
	node web/test/bench.mjs

tools:
	@command -v staticcheck >/dev/null 2>&1 || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: tools
	@fmt=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck ./...

## run: the whole product on the embedded backend (no AWS, no Docker)
run:
	$(GO) run ./cmd/roster serve --data $(DATA) --addr $(ADDR)

## demo: a program and an import through the CLI, on the embedded backend
demo:
	$(GO) run ./cmd/roster program put --data $(DATA) testdata/demo/program.json
	$(GO) run ./cmd/roster import --data $(DATA) --program demo --role mentee --notify --admin admin@example.com testdata/demo/mentees.csv
	$(GO) run ./cmd/roster participants --data $(DATA) --program demo
	$(GO) run ./cmd/roster outbox --data $(DATA)

## synth: the CloudFormation template and assets in infra/cdk.out (offline)
synth: build
	cd infra && CDK_OUTDIR=cdk.out JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(GO) run .

## deploy: the stack into the AWS account of your credentials (MAIL_FROM=you@example.com)
deploy: build
	cd infra && JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 npx cdk deploy \
		$(if $(MAIL_FROM),--parameters MailFrom=$(MAIL_FROM))

## bench: the documented benchmarks (see README, "Benchmarks"); BENCH=CLI runs only those matching,
## ROSTER_BENCH_ROWS=1000000 sets the rows of the import and CLI benchmarks (default 100,000)
bench:
	$(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -benchtime=$(BENCHTIME) -timeout=0 ./shared/... ./cmd/...

## local-stack: DynamoDB Local, an S3 server and an SES recorder on loopback; endpoints in infra/local/.env.local
local-stack:
	infra/local/start.sh

local-stack-stop:
	infra/local/stop.sh

clean:
	rm -rf bin dist $(DATA)
