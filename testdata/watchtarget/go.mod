module example.com/watchtarget

go 1.21
