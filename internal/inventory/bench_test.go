package inventory

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/aws-ingest/aws-ingest/internal/inventory/ec2fake"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/testkit"
)

// The scale: 50 accounts × 20 regions × 200 instances, every API
// call taking 50 ms.
const (
	benchAccounts  = 50
	benchRegions   = 20
	benchInstances = 200
	benchDelay     = 50 * time.Millisecond
)

var benchTypes = []string{"t3.micro", "t3.large", "m5.large", "m5.xlarge", "m5.2xlarge", "c5.large", "c5.4xlarge", "r5.large", "r5.2xlarge", "m6i.large"}

// benchCloud builds the fake cloud of the benchmark. Every DescribeInstances
// call builds its 200 instances afresh (new strings), as the SDK would.
func benchCloud(accounts, regions, perRegion int, delay time.Duration) (*fakeCloud, []Account) {
	f := newFakeCloud(delay)
	var catalogue []types.InstanceTypeInfo // ~900 types, the size of the real catalogue
	sizes := []struct {
		name string
		vcpu int32
	}{{"large", 2}, {"xlarge", 4}, {"2xlarge", 8}, {"4xlarge", 16}, {"8xlarge", 32}, {"12xlarge", 48}, {"16xlarge", 64}, {"24xlarge", 96}, {"metal", 96}}
	for fam := range 100 {
		for _, s := range sizes {
			catalogue = append(catalogue, instanceType(fmt.Sprintf("x%d.%s", fam, s.name), s.vcpu, int64(s.vcpu)*4096))
		}
	}
	for _, t := range benchTypes {
		catalogue = append(catalogue, instanceType(t, 2, 8192))
	}
	var accts []Account
	regionNames := make([]string, regions)
	for r := range regions {
		regionNames[r] = fmt.Sprintf("xx-region-%d", r+1)
	}
	for a := range accounts {
		id := fmt.Sprintf("%012d", 100000000000+a)
		accts = append(accts, Account{ID: id, Name: fmt.Sprintf("account-%d", a), Regions: regionNames})
		for _, region := range regionNames {
			fr := f.region(id, region)
			fr.types = catalogue
			fr.instances = func() []types.Instance {
				out := make([]types.Instance, perRegion)
				for i := range out {
					state := "running"
					if i%10 == 9 {
						state = "stopped"
					}
					out[i] = instance(fmt.Sprintf("i-%s%05d", id[6:], i), benchTypes[i%len(benchTypes)],
						region+string(rune('a'+i%3)), state, "Name", fmt.Sprintf("web-%d", i), "env", "prod")
					out[i].Placement.AvailabilityZoneId = aws.String(fmt.Sprintf("%s-az%d", region, i%3+1))
				}
				return out
			}
			fr.reservations = []types.ReservedInstances{
				reserved(id+region+"-z1", "m5.large", region+"a", 3),
				reserved(id+region+"-z2", "t3.micro", region+"b", 2),
				reserved(id+region+"-r1", "m5.xlarge", "", 10),
				reserved(id+region+"-r2", "c5.large", "", 5),
				reserved(id+region+"-r3", "r5.2xlarge", "", 40), // mostly unused
			}
		}
	}
	return f, accts
}

// peakSampler records the peak of the Go runtime's memory while a pass runs.
type peakSampler struct {
	stop     chan struct{}
	done     sync.WaitGroup
	heap     uint64 // live and not yet swept heap objects
	total    uint64 // all memory mapped by the runtime, about the RSS
	interval time.Duration
}

func startPeakSampler() *peakSampler {
	p := &peakSampler{stop: make(chan struct{}), interval: 5 * time.Millisecond}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
	p.done.Go(func() {
		t := time.NewTicker(p.interval)
		defer t.Stop()
		for {
			metrics.Read(samples)
			p.heap = max(p.heap, samples[0].Value.Uint64())
			p.total = max(p.total, samples[1].Value.Uint64())
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	})
	return p
}

func (p *peakSampler) Stop() { close(p.stop); p.done.Wait() }

// BenchmarkPass runs one whole pass (connect, collect, types, matching,
// events through a real modinput.Writer, lookups) over the scale
// with every call taking 50 ms. Report: seconds per pass and peak memory.
//
//	go test ./internal/inventory -run '^$' -bench 'Pass/concurrency=32' -benchtime 3x
//
// concurrency=1 shows why the fan-out exists (about 100 s per pass).
func BenchmarkPass(b *testing.B) {
	for _, conc := range []int{DefaultMaxConcurrency, 1} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			benchPass(b, conc, benchAccounts, benchRegions, benchInstances, benchDelay)
		})
	}
}

func benchPass(b *testing.B, conc, accounts, regions, perRegion int, delay time.Duration) {
	cloud, accts := benchCloud(accounts, regions, perRegion, delay)
	var peakHeap, peakTotal uint64
	var sum Summary
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		runtime.GC()
		w := modinput.NewWriter(io.Discard, modinput.WriterOptions{})
		c := &Collector{Connector: cloud, Events: w, MaxConcurrency: conc, Stanza: "aws_ingest_inventory://bench",
			LookupDir: dir, Types: &TypeCache{Dir: dir}}
		sampler := startPeakSampler()
		cpu0 := cpuTime()
		b.StartTimer()
		var err error
		sum, err = c.Run(context.Background(), accts)
		if err == nil {
			err = w.Sync(context.Background())
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		sampler.Stop()
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		peakHeap, peakTotal = max(peakHeap, sampler.heap), max(peakTotal, sampler.total)
		b.StartTimer()
	}
	b.StopTimer()
	if sum.Instances != accounts*regions*perRegion {
		b.Fatalf("collected %d instances, want %d", sum.Instances, accounts*regions*perRegion)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/pass")
	b.ReportMetric(float64(sum.Instances)/(b.Elapsed().Seconds()/float64(b.N)), "instances/s")
	b.ReportMetric(float64(sum.Events), "events/pass")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/pass")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakTotal)/(1<<20), "peak-runtime-MiB")
}

// BenchmarkDescribeInstancesPage measures what the interface-level fake of
// BenchmarkPass leaves out: the real SDK client reading one page of 1000
// instances (the AWS CLI example instance, about 5 KB of XML each) from a
// local httptest server, and turning them into events.
//
//	go test ./internal/inventory -run '^$' -bench DescribeInstancesPage
func BenchmarkDescribeInstancesPage(b *testing.B) {
	var di ec2.DescribeInstancesOutput
	if err := ec2fake.LoadJSON(filepath.Join(examples, "describe-instances.output.json"), &di); err != nil {
		b.Fatal(err)
	}
	page := &ec2.DescribeInstancesOutput{Reservations: []types.Reservation{{Instances: make([]types.Instance, 1000)}}}
	for i := range page.Reservations[0].Instances {
		in := di.Reservations[0].Instances[0]
		in.InstanceId = aws.String(fmt.Sprintf("i-%017d", i))
		page.Reservations[0].Instances[i] = in
	}
	srv := ec2fake.Start(b, &ec2fake.Fake{Respond: func(ec2fake.Call) (any, error) { return page, nil }})
	client := ec2.NewFromConfig(testkit.AWSConfig(srv.URL, "us-east-1"))
	acct := &Account{ID: "111111111111", Name: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		out, err := client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000)})
		if err != nil {
			b.Fatal(err)
		}
		ps := profiles{}
		for i := range out.Reservations[0].Instances {
			in := &out.Reservations[0].Instances[i]
			inst := newInstance(acct, "us-east-1", in, ps)
			_ = instanceEventJSON(&inst, in)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/instance")
}
