module example.com/benchtarget

go 1.21
