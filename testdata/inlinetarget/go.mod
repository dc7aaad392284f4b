module example.com/inlinetarget

go 1.21
