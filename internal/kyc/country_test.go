package kyc

import "testing"

func TestNormalizeCountry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"TH", "TH", true}, {"th", "TH", true}, {"THA", "TH", true}, {"tha", "TH", true},
		{"Thailand", "TH", true}, {" thailand ", "TH", true}, {"United States", "US", true},
		{"United States of America", "US", true}, {"USA", "US", true}, {"Hong Kong", "HK", true},
		{"Côte d’Ivoire", "CI", true}, {"Cote d'Ivoire", "CI", true}, {"St. Kitts & Nevis", "KN", true},
		{"Saint Kitts and Nevis", "KN", true}, {"South Korea", "KR", true}, {"Viet Nam", "VN", true},
		{"Japan", "JP", true}, {"DEU", "DE", true}, {"uae", "AE", true},
		{"XX", "", false}, {"EU", "", false}, {"UK", "", false}, {"ZZ", "", false}, {"", "", false},
		{"Deutschland", "", false}, {"Atlantis", "", false}, {"T1", "", false}, {"USAA", "", false},
		{"ZZZ", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeCountry(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeCountry(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := CountryAlpha3("TH"); got != "THA" {
		t.Errorf("CountryAlpha3(TH) = %q", got)
	}
	if got := CountryAlpha3("XX"); got != "" {
		t.Errorf("CountryAlpha3(XX) = %q", got)
	}
	if len(countryTable) != 249 {
		t.Errorf("country table has %d entries; ISO 3166-1 assigns 249", len(countryTable))
	}
}
