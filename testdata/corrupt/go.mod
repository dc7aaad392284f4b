module example.com/corrupt

go 1.19
