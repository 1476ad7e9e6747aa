package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// WarmBody is the body of POST /admin/warm.
type WarmBody struct {
	Hub     string   `json:"hub"`
	SKUs    []string `json:"skus,omitempty"`
	Locales []string `json:"locales,omitempty"`
	Presets []string `json:"presets,omitempty"`
	Formats []string `json:"formats,omitempty"`
}

// WarmJob is the warm job's status.
type WarmJob struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Total    int    `json:"total"`
	Done     int64  `json:"done"`
	Rendered int64  `json:"rendered"`
	Failed   int64  `json:"failed"`
}

// Warm starts a warm job and polls it until it is done or timeout passes.
func Warm(ctx context.Context, base string, body WarmBody, timeout time.Duration) (WarmJob, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var job WarmJob
	data, _ := json.Marshal(body)
	if err := adminCall(ctx, http.MethodPost, base+"/admin/warm", data, http.StatusAccepted, &job); err != nil {
		return job, err
	}
	for job.State != "done" {
		select {
		case <-ctx.Done():
			return job, fmt.Errorf("warm job %s: %w", job.ID, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
		if err := adminCall(ctx, http.MethodGet, base+"/admin/warm/"+job.ID, nil, http.StatusOK, &job); err != nil {
			return job, err
		}
	}
	return job, nil
}

func adminCall(ctx context.Context, method, u string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}
