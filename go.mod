module github.com/rosterhq/roster

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/richardlehane/mscfb v1.0.7
	github.com/xuri/excelize/v2 v2.11.0
	github.com/yamitzky/xlrd-go v0.1.0
	go.etcd.io/bbolt v1.4.3
	golang.org/x/text v0.38.0
)

require (
	github.com/richardlehane/msoleps v1.0.6 // indirect
	github.com/tiendc/go-deepcopy v1.7.2 // indirect
	github.com/xuri/efp v0.0.1 // indirect
	github.com/xuri/nfp v0.0.2-0.20250530014748-2ddeb826f9a9 // indirect
	golang.org/x/crypto v0.53.0 // indirect
	golang.org/x/net v0.56.0 // indirect
	golang.org/x/sys v0.46.0 // indirect
)
