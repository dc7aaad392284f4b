module example.com/census

go 1.21
