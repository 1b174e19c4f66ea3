//go:build !unix

package cli

func ignoreSIGPIPE() {}
