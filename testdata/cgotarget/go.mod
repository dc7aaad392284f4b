module example.com/cgotarget

go 1.21
