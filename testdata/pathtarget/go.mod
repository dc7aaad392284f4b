module example.com/pathtarget

go 1.19
