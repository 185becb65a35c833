module horneross-conformance.invalid/kits/go

go 1.19
