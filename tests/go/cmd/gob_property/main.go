// Command gob_property is Go's side of zerostart's Gob property test (tests/gob_interop):
// random values of every kind the codec supports, checked both ways against encoding/gob.
//
//	gob_property schema               the type universe as JSON (so C++ can build the same types)
//	gob_property gen SEED N DESC      N random values (seeded, deterministic) as one gob stream
//	                                  on stdout; their canonical JSON, one per line, into DESC
//	gob_property check TYPES          decode a gob stream from stdin with gob.Decoder, one value
//	                                  per line of the file TYPES (a type name each), and print
//	                                  each value's canonical JSON on its own line
//
// The canonical form is what both sides can compute from what is on the wire:
//
//	bool       true/false            int*       "i<decimal>"       uint*      "u<decimal>"
//	float*     "f<16 hex digits of the float64 bits>"               complex*   "c<hex>:<hex>"
//	string     "s<hex of the bytes>" []byte     "b<hex>"
//	slice, array  a JSON array       map        an object keyed by the JSON of each key's form
//	struct     an object of the fields Go sends (non-zero; nil pointers and nil maps omitted;
//	           structs and arrays always sent); pointers are transparent.
//
// Stdlib only; exits non-zero on any error.
package main

import (
	"bufio"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"strings"
)

type Inner struct {
	A string
	B int
	C *int16
}

type Leaf struct {
	U8 uint8
	F  float32
}

type Everything struct {
	Bool    bool
	I       int
	I8      int8
	I16     int16
	I32     int32
	I64     int64
	U       uint
	U8      uint8
	U16     uint16
	U32     uint32
	U64     uint64
	Uptr    uintptr
	F32     float32
	F64     float64
	C64     complex64
	C128    complex128
	S       string
	Raw     []byte
	Ints    []int
	Strs    []string
	Arr     [3]int16
	ByteArr [4]byte
	M       map[string]int
	MI      map[int64]string
	MB      map[bool][]byte
	Nested  Inner
	PInner  *Inner
	PInt    *int
	PStr    *string
	PPLeaf  **Leaf
	Anon    struct {
		X int
		Y []string
		Z struct{ Deep []Leaf }
	}
	Structs   []Inner
	PStructs  []*Inner
	MapStruct map[string]Inner
	Matrix    [][]float64
	Bytes2    [][]byte
	ArrLeaf   [2]Leaf
	Zero      int // never set by the generator: always omitted
}

// The universe: every top-level type a value may have, by name.
var universe = []struct {
	name string
	t    reflect.Type
}{
	{"Everything", reflect.TypeOf(Everything{})},
	{"Inner", reflect.TypeOf(Inner{})},
	{"Leaf", reflect.TypeOf(Leaf{})},
	{"*Inner", reflect.TypeOf((*Inner)(nil))},
	{"bool", reflect.TypeOf(false)},
	{"int", reflect.TypeOf(int(0))},
	{"int8", reflect.TypeOf(int8(0))},
	{"uint64", reflect.TypeOf(uint64(0))},
	{"uint16", reflect.TypeOf(uint16(0))},
	{"float32", reflect.TypeOf(float32(0))},
	{"float64", reflect.TypeOf(float64(0))},
	{"complex64", reflect.TypeOf(complex64(0))},
	{"complex128", reflect.TypeOf(complex128(0))},
	{"string", reflect.TypeOf("")},
	{"[]byte", reflect.TypeOf([]byte(nil))},
	{"[]int32", reflect.TypeOf([]int32(nil))},
	{"[2]string", reflect.TypeOf([2]string{})},
	{"map[string][]int", reflect.TypeOf(map[string][]int(nil))},
	{"map[uint16]Inner", reflect.TypeOf(map[uint16]Inner(nil))},
	{"[]Inner", reflect.TypeOf([]Inner(nil))},
	{"[][]byte", reflect.TypeOf([][]byte(nil))},
	{"*int", reflect.TypeOf((*int)(nil))},
}

func typeByName(name string) (reflect.Type, bool) {
	for _, u := range universe {
		if u.name == name {
			return u.t, true
		}
	}
	return nil, false
}

// ---- schema ----

func schema(t reflect.Type) map[string]interface{} {
	s := map[string]interface{}{"key": t.String(), "name": t.Name()}
	switch t.Kind() {
	case reflect.Bool:
		s["kind"] = "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s["kind"], s["bits"] = "int", t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s["kind"], s["bits"] = "uint", t.Bits()
	case reflect.Float32, reflect.Float64:
		s["kind"], s["bits"] = "float", t.Bits()
	case reflect.Complex64, reflect.Complex128:
		s["kind"], s["bits"] = "complex", t.Bits()
	case reflect.String:
		s["kind"] = "string"
	case reflect.Ptr:
		s["kind"], s["elem"] = "ptr", schema(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s["kind"] = "bytes"
		} else {
			s["kind"], s["elem"] = "slice", schema(t.Elem())
		}
	case reflect.Array:
		s["kind"], s["elem"], s["len"] = "array", schema(t.Elem()), t.Len()
	case reflect.Map:
		s["kind"], s["keytype"], s["elem"] = "map", schema(t.Key()), schema(t.Elem())
	case reflect.Struct:
		var fields []interface{}
		for i := 0; i < t.NumField(); i++ {
			fields = append(fields, map[string]interface{}{"name": t.Field(i).Name, "type": schema(t.Field(i).Type)})
		}
		s["kind"], s["fields"] = "struct", fields
	default:
		panic("unsupported kind " + t.Kind().String())
	}
	return s
}

// ---- random values ----

var strs = []string{"", "a", "héllo wörld", "日本語のテキスト", "emoji 🙂", "nul\x00byte", "\xff\xfe not utf-8", "tab\tnl\n"}

func randString(r *rand.Rand) string {
	if r.Intn(2) == 0 {
		return strs[r.Intn(len(strs))]
	}
	n := r.Intn(20)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if r.Intn(4) == 0 {
			b.WriteRune(rune(0x80 + r.Intn(0x3000)))
		} else {
			b.WriteByte(byte(32 + r.Intn(95)))
		}
	}
	return b.String()
}

func randInt(r *rand.Rand, bits int) int64 {
	min, max := int64(-1)<<(bits-1), int64(uint64(1)<<(bits-1)-1)
	switch r.Intn(6) {
	case 0:
		return 0
	case 1:
		return min
	case 2:
		return max
	case 3:
		return int64(r.Intn(256) - 128)
	}
	v := int64(r.Uint64())
	return v >> (64 - bits)
}

func randUint(r *rand.Rand, bits int) uint64 {
	max := uint64(math.MaxUint64) >> (64 - bits)
	switch r.Intn(5) {
	case 0:
		return 0
	case 1:
		return max
	case 2:
		return uint64(r.Intn(300)) & max
	}
	return r.Uint64() >> (64 - bits)
}

func randFloat(r *rand.Rand, bits int) float64 {
	specials := []float64{0, math.Copysign(0, -1), 1, -2.5, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat32, math.MaxFloat32}
	if bits == 64 {
		specials = append(specials, math.NaN(), math.Float64frombits(0x7ff8000000000abc), math.SmallestNonzeroFloat64, math.MaxFloat64)
	}
	if r.Intn(3) == 0 {
		return specials[r.Intn(len(specials))]
	}
	if bits == 32 {
		f := math.Float32frombits(r.Uint32())
		if f != f { // NaN payloads do not survive float32<->float64 on every path; keep them to float64
			f = 1.5
		}
		return float64(f)
	}
	if r.Intn(2) == 0 {
		return r.NormFloat64() * 1e6
	}
	return math.Float64frombits(r.Uint64())
}

// randValue builds a random value of t. Pointers may be nil only where allowNil (struct
// fields): gob refuses nil pointers elsewhere.
func randValue(r *rand.Rand, t reflect.Type, depth int, allowNil bool) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(r.Intn(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(randInt(r, t.Bits()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(randUint(r, t.Bits()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(randFloat(r, t.Bits()))
	case reflect.Complex64, reflect.Complex128:
		v.SetComplex(complex(randFloat(r, t.Bits()/2), randFloat(r, t.Bits()/2)))
	case reflect.String:
		v.SetString(randString(r))
	case reflect.Ptr:
		if allowNil && r.Intn(3) == 0 {
			return v
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(randValue(r, t.Elem(), depth+1, false))
		v.Set(p)
	case reflect.Slice:
		if r.Intn(4) == 0 {
			return v // nil
		}
		n := r.Intn(5)
		if depth > 3 {
			n = r.Intn(2)
		}
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			s.Index(i).Set(randValue(r, t.Elem(), depth+1, false))
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < t.Len(); i++ {
			v.Index(i).Set(randValue(r, t.Elem(), depth+1, false))
		}
	case reflect.Map:
		if r.Intn(5) == 0 {
			return v // nil
		}
		m := reflect.MakeMap(t)
		n := r.Intn(5)
		for i := 0; i < n; i++ {
			m.SetMapIndex(randValue(r, t.Key(), depth+1, false), randValue(r, t.Elem(), depth+1, false))
		}
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).Name == "Zero" || r.Intn(5) == 0 {
				continue // left zero: exercises omission
			}
			v.Field(i).Set(randValue(r, t.Field(i).Type, depth+1, true))
		}
	default:
		panic("unsupported kind " + t.Kind().String())
	}
	return v
}

// ---- canonical form ----

func floatHex(f float64) string { return fmt.Sprintf("%016x", math.Float64bits(f)) }

func canon(v reflect.Value) interface{} {
	switch v.Kind() {
	case reflect.Ptr:
		if v.IsNil() {
			return nil
		}
		return canon(v.Elem())
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "i" + strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "u" + strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return "f" + floatHex(v.Float())
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return "c" + floatHex(real(c)) + ":" + floatHex(imag(c))
	case reflect.String:
		return "s" + hex.EncodeToString([]byte(v.String()))
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return "b" + hex.EncodeToString(v.Bytes())
		}
		out := []interface{}{}
		for i := 0; i < v.Len(); i++ {
			out = append(out, canon(v.Index(i)))
		}
		return out
	case reflect.Map:
		out := map[string]interface{}{}
		iter := v.MapRange()
		for iter.Next() {
			k, err := json.Marshal(canon(iter.Key()))
			must(err)
			out[string(k)] = canon(iter.Value())
		}
		return out
	case reflect.Struct:
		out := map[string]interface{}{}
		for i := 0; i < v.NumField(); i++ {
			if sent(v.Field(i)) {
				out[v.Type().Field(i).Name] = canon(v.Field(i))
			}
		}
		return out
	}
	panic("unsupported kind " + v.Kind().String())
}

// sent reports whether gob's encoder sends this struct field (encode.go: zero scalars, empty
// strings and slices, nil maps and nil pointers are omitted; structs and arrays always go).
func sent(v reflect.Value) bool {
	for v.Kind() == reflect.Ptr {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0
	case reflect.Complex64, reflect.Complex128:
		return v.Complex() != 0
	case reflect.String, reflect.Slice:
		return v.Len() != 0
	case reflect.Map:
		return !v.IsNil()
	}
	return true
}

// ---- modes ----

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gob_property:", err)
		os.Exit(1)
	}
}

func writeLine(w *bufio.Writer, v interface{}) {
	b, err := json.Marshal(v)
	must(err)
	w.Write(b)
	w.WriteByte('\n')
}

func main() {
	if len(os.Args) < 2 {
		must(fmt.Errorf("usage: gob_property schema | gen SEED N DESC | check TYPES"))
	}
	switch os.Args[1] {
	case "schema":
		var out []interface{}
		for _, u := range universe {
			out = append(out, map[string]interface{}{"name": u.name, "type": schema(u.t)})
		}
		w := bufio.NewWriter(os.Stdout)
		writeLine(w, out)
		must(w.Flush())
	case "gen":
		if len(os.Args) != 5 {
			must(fmt.Errorf("usage: gob_property gen SEED N DESC"))
		}
		seed, err := strconv.ParseInt(os.Args[2], 10, 64)
		must(err)
		n, err := strconv.Atoi(os.Args[3])
		must(err)
		f, err := os.Create(os.Args[4])
		must(err)
		desc := bufio.NewWriter(f)
		r := rand.New(rand.NewSource(seed))
		stdout := bufio.NewWriter(os.Stdout)
		enc := gob.NewEncoder(stdout)
		for i := 0; i < n; i++ {
			u := universe[r.Intn(len(universe))]
			v := randValue(r, u.t, 0, false)
			must(enc.Encode(v.Interface()))
			writeLine(desc, map[string]interface{}{"type": u.name, "value": canon(v)})
		}
		must(stdout.Flush())
		must(desc.Flush())
		must(f.Close())
	case "check":
		if len(os.Args) != 3 {
			must(fmt.Errorf("usage: gob_property check TYPES"))
		}
		names, err := os.ReadFile(os.Args[2])
		must(err)
		dec := gob.NewDecoder(bufio.NewReader(os.Stdin))
		w := bufio.NewWriter(os.Stdout)
		for _, name := range strings.Fields(string(names)) {
			t, ok := typeByName(name)
			if !ok {
				must(fmt.Errorf("unknown type %q", name))
			}
			p := reflect.New(t)
			if err := dec.Decode(p.Interface()); err != nil {
				must(w.Flush())
				must(fmt.Errorf("decoding a %s: %v", name, err))
			}
			writeLine(w, canon(p.Elem()))
		}
		must(w.Flush())
	default:
		must(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}
