package inventory

import (
	"strconv"
	"strings"
)

// splitType splits "m5.2xlarge" into family "m5" and size "2xlarge".
func splitType(t string) (family, size string) {
	family, size, _ = strings.Cut(t, ".")
	return family, size
}

// namedSizes are the normalization factors AWS publishes for the sizes
// without a multiplier; "Nxlarge" is N × 8.
var namedSizes = map[string]float64{
	"nano": 0.25, "micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8,
}

// sizeFactor returns the normalization factor of a size name ("2xlarge"
// → 16, "metal-24xl" → 192), or 0 when the name does not say (".metal"
// alone: see metalFactors).
func sizeFactor(size string) float64 {
	if f, ok := namedSizes[size]; ok {
		return f
	}
	if n, ok := strings.CutSuffix(size, "xlarge"); ok {
		if k, err := strconv.Atoi(n); err == nil && k > 0 {
			return 8 * float64(k)
		}
	}
	// Newer bare-metal sizes carry their equivalent: c7i.metal-24xl, metal-48xl.
	if n, ok := strings.CutPrefix(size, "metal-"); ok {
		if k, err := strconv.Atoi(strings.TrimSuffix(n, "xl")); err == nil && k > 0 {
			return 8 * float64(k)
		}
	}
	return 0
}

// normalizationFactors returns the factor of every type in types: from the
// size name, and for a ".metal" size the factor of the size of the same
// family with the same number of vCPUs (m5.metal has the 96 vCPUs of
// m5.24xlarge, so 192), which is how AWS defines it.
func normalizationFactors(types []InstanceType) map[string]float64 {
	out := make(map[string]float64, len(types))
	type famCPU struct {
		family string
		vcpu   int
	}
	byCPU := map[famCPU]float64{}
	for _, t := range types {
		family, size := splitType(t.Type)
		if f := sizeFactor(size); f > 0 {
			out[t.Type] = f
			if t.VCPU > 0 {
				k := famCPU{family, t.VCPU}
				byCPU[k] = max(byCPU[k], f)
			}
		}
	}
	for _, t := range types {
		if _, ok := out[t.Type]; ok || t.VCPU == 0 {
			continue
		}
		family, _ := splitType(t.Type)
		if f := byCPU[famCPU{family, t.VCPU}]; f > 0 {
			out[t.Type] = f
		}
	}
	return out
}
