# Roster: see README.md. `make run` starts the local server; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
DATA ?= .roster
ADDR ?= 127.0.0.1:8080
FUNCTIONS := $(notdir $(wildcard functions/*))
STATICCHECK_VERSION := v0.8.2
BENCHTIME ?= 1x

.PHONY: all build test unit lint run demo bench clean local-stack local-stack-stop tools

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

## test: lint, then every test the machine can run (CI=true makes emulator tests mandatory)
test: lint unit

unit:
	$(GO) test -count=1 ./...

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

## bench: the documented benchmarks (see README, "Benchmarks")
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./shared/... ./cmd/...

## local-stack: DynamoDB Local, an S3 server and an SES recorder on loopback; endpoints in infra/local/.env.local
local-stack:
	infra/local/start.sh

local-stack-stop:
	infra/local/stop.sh

clean:
	rm -rf bin dist $(DATA)
