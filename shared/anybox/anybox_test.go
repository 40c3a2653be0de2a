package anybox

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"testing"
)

func TestBoxIsAnOrdinaryInterface(t *testing.T) {
	var b Block
	var vals []any
	for i := range 200 { // past one array
		vals = append(vals, Box(&b, fmt.Sprint("v", i)), Box(&b, json.Number(fmt.Sprint(i))), Box(&b, ""))
	}
	runtime.GC() // the arrays stay while their values do
	for i := range 200 {
		s, n, e := vals[3*i], vals[3*i+1], vals[3*i+2]
		if got, ok := s.(string); !ok || got != fmt.Sprint("v", i) || s != any(fmt.Sprint("v", i)) {
			t.Fatalf("value %d: %#v, want string v%d", i, s, i)
		}
		if got, ok := n.(json.Number); !ok || string(got) != fmt.Sprint(i) || !reflect.DeepEqual(n, any(json.Number(fmt.Sprint(i)))) {
			t.Fatalf("value %d: %#v, want json.Number %d", i, n, i)
		}
		if e != any("") {
			t.Fatalf("value %d: %#v, want the empty string", i, e)
		}
	}
	raw, err := json.Marshal(map[string]any{"a": vals[0], "b": vals[1]})
	if err != nil || string(raw) != `{"a":"v0","b":0}` {
		t.Fatalf("json: %s %v", raw, err)
	}
}

func TestBoxAllocatesOncePerArray(t *testing.T) {
	strs := []string{"a", "bb", "ccc", "dddd"}
	allocs := testing.AllocsPerRun(100, func() {
		b := Block{Size: len(strs)}
		for _, s := range strs {
			_ = Box(&b, s)
		}
	})
	if allocs != 1 {
		t.Fatalf("%v allocations for %d strings, want 1", allocs, len(strs))
	}
}
