package sqsfake

import "testing"

func TestMD5OfAttributes(t *testing.T) {
	s := func(v string) *string { return &v }
	attrs := map[string]messageAttributeValue{
		"kind":  {DataType: "String", StringValue: s("cloudtrail")},
		"n":     {DataType: "Number", StringValue: s("42")},
		"raw":   {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 0xff}},
		"x.tag": {DataType: "String.custom", StringValue: s("v")},
	}
	// Computed independently with moto 5.2.1 (moto.sqs.models.Message.attribute_md5).
	const want = "533fb5621785eb70913b9d85135d32a3"
	if got := md5OfAttributes(attrs); got != want {
		t.Errorf("md5OfAttributes = %s, want %s", got, want)
	}
	if got := md5OfAttributes(nil); got != "" {
		t.Errorf("md5OfAttributes(nil) = %q, want empty", got)
	}
	if got := md5Hex(""); got != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Errorf("md5Hex(\"\") = %s", got)
	}
}
