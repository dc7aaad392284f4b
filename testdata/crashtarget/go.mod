module example.com/crashtarget

go 1.19
