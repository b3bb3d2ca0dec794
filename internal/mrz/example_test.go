package mrz_test

import (
	"fmt"
	"time"

	"kycd/internal/mrz"
)

func ExampleParseAt() {
	zone := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	m, err := mrz.ParseAt(zone, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Format, m.DocumentCode, m.IssuingState, m.DocumentNumber)
	fmt.Println(m.Surname, "/", m.GivenNames, "/", m.Sex)
	fmt.Println(m.DateOfBirth, m.ExpiryDate, m.ChecksumValid)
	// Output:
	// TD3 P UTO L898902C3
	// ERIKSSON / ANNA MARIA / F
	// 1974-08-12 2012-04-15 true
}

func ExampleMRZ_InvalidChecks() {
	// The date of birth of the specimen passport changed from 740812 to 740813.
	zone := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
		"L898902C36UTO7408132F1204159ZE184226B<<<<<10"
	m, _ := mrz.ParseAt(zone, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(m.ChecksumValid, m.InvalidChecks())
	// Output: false [dateOfBirth composite]
}

func ExampleCheckDigit() {
	fmt.Println(mrz.CheckDigit("L898902C3"), mrz.CheckDigit("740812"))
	// Output: 6 2
}
