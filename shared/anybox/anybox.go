// Package anybox puts strings into interface values many at a time. Go
// gives each string stored in an `any` its own small heap object; an
// import stores several answers a row in maps of `any`, so a Block keeps
// their string headers in one shared array instead: one allocation for
// many values. The values are ordinary interfaces: a type switch, ==,
// encoding/json and reflect see a string (or the named string type).
package anybox

import "unsafe"

// eface is the layout of an empty interface value in the gc runtime.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// Block hands out interface values whose strings share one array. A Block
// is not safe for concurrent use; its zero value is ready.
type Block struct {
	strs []string
	// Size is how many strings a new array holds (default 64). An array
	// lives as long as any value made from it.
	Size int
}

// Box returns s in an interface value, as any(s) does.
func Box[T ~string](b *Block, s T) any {
	if len(s) == 0 {
		return any(s) // Go boxes an empty string without allocating
	}
	if len(b.strs) == cap(b.strs) {
		n := b.Size
		if n <= 0 {
			n = defaultSize
		}
		b.strs = make([]string, 0, n)
	}
	b.strs = append(b.strs, string(s))
	v := any(T(""))
	// The interface points at the array's element instead of a copy of its
	// own; nothing writes the element again.
	(*eface)(unsafe.Pointer(&v)).data = unsafe.Pointer(&b.strs[len(b.strs)-1])
	return v
}

const defaultSize = 64
