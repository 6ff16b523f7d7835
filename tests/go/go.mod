module zerostart.test/go

go 1.19
