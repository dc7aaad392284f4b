// Package inventory holds a few maps in a second package of the module
// (DWARF names "example.com/acme/inventory.<name>"), for the --var-prefix
// tests of mapdiag scan. Filled once at init and never written again.
//
// Vars lists every package-level variable that can reach a map, by its
// DWARF name, so that cmd/scantarget's oracle can walk them.
package inventory

import (
	"strconv"

	"example.com/acme/internal/hdr"
)

// Item is what byID points to.
type Item struct {
	ID   int
	Name string
}

// Warehouse is reached through a slice of pointers (two hops).
type Warehouse struct {
	Name string
	Bins map[string]int
}

// Ledger is a named map type.
type Ledger map[string]int64

// Sizes, so that nothing needs hard-coding them.
const (
	NStock      = 250
	NPrices     = 40
	NJournal    = 12
	NByID       = 64
	NWarehouses = 3
)

var (
	Stock      map[string]int
	Prices     map[string]float64
	Journal    Ledger
	Missing    map[string]int // nil
	byID       map[int]*Item
	Warehouses []*Warehouse
)

func init() {
	Stock = make(map[string]int)
	for i := 0; i < NStock; i++ {
		Stock["sku-"+strconv.Itoa(i)] = i
	}
	Prices = make(map[string]float64)
	for i := 0; i < NPrices; i++ {
		Prices["sku-"+strconv.Itoa(i)] = float64(i) + 0.5
	}
	Journal = make(Ledger)
	for i := 0; i < NJournal; i++ {
		Journal["j-"+strconv.Itoa(i)] = int64(i) * 100
	}
	byID = make(map[int]*Item)
	for i := 0; i < NByID; i++ {
		byID[i] = &Item{ID: i, Name: "item-" + strconv.Itoa(i)}
	}
	for w := 0; w < NWarehouses; w++ {
		wh := &Warehouse{Name: "wh-" + strconv.Itoa(w), Bins: make(map[string]int)}
		for i := 0; i < 5*(w+1)+2; i++ { // 7, 12, 17
			wh.Bins["bin-"+strconv.Itoa(i)] = i
		}
		hdr.Settle(wh.Bins, "absent")
		Warehouses = append(Warehouses, wh)
	}
	// No growth left in progress (classic maps): see hdr.Settle.
	hdr.Settle(Stock, "absent")
	hdr.Settle(Prices, "absent")
	hdr.Settle(Journal, "absent")
	hdr.Settle(byID, -1)
}

// Vars returns a pointer to every package-level variable of this package,
// keyed by its DWARF name. (A fresh map per call: it is no global.)
func Vars() map[string]any {
	const p = "example.com/acme/inventory."
	return map[string]any{
		p + "Stock":      &Stock,
		p + "Prices":     &Prices,
		p + "Journal":    &Journal,
		p + "Missing":    &Missing,
		p + "byID":       &byID,
		p + "Warehouses": &Warehouses,
	}
}
