module example.com/writers

go 1.19
