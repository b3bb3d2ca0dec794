package main

import (
	"encoding/json"
	"strings"
)

// Synthetic sanctions lists in the shapes of the UN XML and OFAC CSV files. Every name, number and
// reference is made up here; none is copied from a real list.

const unIndividual = `<INDIVIDUAL>
      <DATAID>900001</DATAID>
      <FIRST_NAME>TESTA</FIRST_NAME>
      <SECOND_NAME>EXAMPLOV</SECOND_NAME>
      <THIRD_NAME>SEEDOVICH</THIRD_NAME>
      <UN_LIST_TYPE>ZZZ</UN_LIST_TYPE>
      <REFERENCE_NUMBER>ZZi.001</REFERENCE_NUMBER>
      <COMMENTS1>Synthetic entry for fuzzing.</COMMENTS1>
      <NATIONALITY><VALUE>Utopia</VALUE><VALUE>France</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>TESTA EXAMPLOVA</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>T. EXAMPLOV</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1970-01-31</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1968</FROM_YEAR><TO_YEAR>1971</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_PLACE_OF_BIRTH><CITY>Nowhere</CITY><COUNTRY>Utopia</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>X0000001</NUMBER></INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>`

const unEntity = `<ENTITY>
      <DATAID>900002</DATAID>
      <FIRST_NAME>EXAMPLE TRADING COMPANY</FIRST_NAME>
      <UN_LIST_TYPE>ZZZ</UN_LIST_TYPE>
      <REFERENCE_NUMBER>ZZe.001</REFERENCE_NUMBER>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>EXAMPLE TRADING CO.</ALIAS_NAME></ENTITY_ALIAS>
    </ENTITY>`

func unList(individuals, entities string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00.000Z">
  <INDIVIDUALS>
    ` + individuals + `
  </INDIVIDUALS>
  <ENTITIES>
    ` + entities + `
  </ENTITIES>
</CONSOLIDATED_LIST>
`
}

const (
	ofacSDN = `900001,"EXAMPLOV, Testa Seedovich","individual","[SDGT] [ZZZ]",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 31 Jan 1970; alt. DOB circa 1968 to 1971; POB Nowhere, Utopia; nationality France; Passport X0000001 (Utopia); a.k.a. 'T. EXAMPLOV'; Gender Female"
900002,"EXAMPLE TRADING COMPANY",-0- ,"ZZZ",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- 
900003,"SEA OF EXAMPLES",-0- ,"ZZZ",-0- ,-0- ,"Tanker","1000",-0- ,"Utopia",-0- ,"Vessel Registration Identification IMO 0000001."
900004,"EXAMPLE ""QUOTED"", LTD.","aircraft","ZZZ",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- 
` + "\x1a\r\n"
	ofacAlt      = "900001,1,\"aka\",\"EXAMPLOVA, Testa\",-0- \r\n900002,2,\"fka\",\"EXAMPLE GENERAL TRADING\",-0- \r\n999999,3,\"aka\",\"REMOVED ENTRY\",-0- \r\n"
	ofacAdd      = "900002,1,\"1 Example Street\",\"Nowhere\",\"Utopia\",-0- \r\n"
	ofacComments = "900001,\"; citizen Utopia; National ID No. 000000001 (Utopia).\"\r\n"
)

func listSeeds(reader) ([]seed, error) {
	un := func(name, xml string) seed {
		return seed{"internal/screening/lists", "FuzzReadUN", name, []any{[]byte(xml)}}
	}
	ofac := func(name string, files ...string) seed {
		args := make([]any, 4)
		for i := range args {
			args[i] = []byte{}
			if i < len(files) {
				args[i] = []byte(files[i])
			}
		}
		return seed{"internal/screening/lists", "FuzzReadOFAC", name, args}
	}
	return []seed{
		un("individual-and-entity", unList(unIndividual, unEntity)),
		un("entity-only", unList("", unEntity)),
		un("repeated-reference", unList(unIndividual+unIndividual, "")),
		un("no-id", unList(strings.NewReplacer("<DATAID>900001</DATAID>", "", "<REFERENCE_NUMBER>ZZi.001</REFERENCE_NUMBER>", "").Replace(unIndividual), "")),
		un("doctype-entity", `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x "EXAMPLE">]><CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>&x;</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>`),
		un("cdata-and-comment", `<CONSOLIDATED_LIST><!-- c --><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME><![CDATA[A & B]]></FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>`),
		un("truncated", unList(unIndividual, unEntity)[:400]),
		ofac("all-files", ofacSDN, ofacAlt, ofacAdd, ofacComments),
		ofac("primary-only", ofacSDN),
		ofac("repeated-number", ofacSDN+strings.SplitAfter(ofacSDN, "\n")[1]),
		ofac("eleven-fields", "900005,\"SHORT ROW\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"),
		ofac("bare-quote", "900006,\"OPEN QUOTE,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"),
		ofac("bom", "\ufeff"+ofacSDN),
	}, nil
}

// jsonSeeds: bodies as /v1 clients send them, and the shapes strict decoding must refuse.
func jsonSeeds(reader) ([]seed, error) {
	s := func(name, body string) seed {
		return seed{"internal/strictjson", "FuzzUnmarshal", name, []any{[]byte(body)}}
	}
	return []seed{
		s("applicant", `{"externalId":"user-0001","profile":{"firstName":"Anna","phone":{"number":"+15550100"}},"addresses":[{"city":"Springfield"},{"city":"Nowhere"}],"metadata":{"plan":"gold","source":"app"},"count":2}`),
		s("escaped-duplicate", `{"externalId":"a","extern\u0061lId":"b"}`),
		s("escaped-case-fold", `{"profile":{"\u0046irstName":"x"}}`),
		s("surrogate-pair", `{"externalId":"\ud83d\ude00","profile":{"firstName":"Zoë"}}`),
		s("lone-surrogate", `{"externalId":"\udc00"}`),
		s("bidi-override", "{\"externalId\":\"a\u202eb\"}"),
		s("tab-and-newline", "{\"externalId\":\"a\\tb\\nc\\r\"}"),
		s("escape-control", `{"externalId":"\u001b[31m"}`),
		s("del-and-c1", "{\"externalId\":\"\x7f\u0085\"}"),
		s("bom", "\ufeff{\"externalId\":\"a\"}"),
		s("numbers", `{"count":1e400,"metadata":{"a":"1"}}`),
		s("count-as-float", `{"count":1.0}`),
		s("empty-name", `{"":"x","externalId":""}`),
		s("depth-64", strings.Repeat("[", 64)+strings.Repeat("]", 64)),
		s("depth-65", strings.Repeat("[", 65)+strings.Repeat("]", 65)),
		s("trailing-data", `{"externalId":"a"} {}`),
		s("wrong-type", `{"profile":[],"addresses":{}}`),
	}, nil
}

// callbackSeeds: callbacks as each partner's documentation and fake send them.
func callbackSeeds(reader) ([]seed, error) {
	resource := func(account, status, message string) string {
		b, _ := json.Marshal(map[string]string{"accountId": account, "kycStatus": status, "message": message})
		return string(b)
	}
	event := `"apiVersion":"v3","code":"000000","message":"success","createTime":1733400000000,`
	il := func(name, res, ev, ts string) seed {
		return seed{"internal/share/interlace", "FuzzCallback", name, []any{res, ev, ts}}
	}
	ap := func(name, body string) seed {
		return seed{"internal/share/alchemypay", "FuzzCallback", name, []any{[]byte(body)}}
	}
	sp := func(name, body string) seed {
		return seed{"internal/share/saintpay", "FuzzCallback", name, []any{[]byte(body)}}
	}
	return []seed{
		il("passed", resource("6c1f2a7e-8d4b-4b8e-9f3a-1d2c3b4a5e6f", "Passed", ""), event, "1733400000000"),
		il("rejected", resource("acc-0001", "Rejected", "The document is blurred."), event, ""),
		il("pending-future-time", resource("acc-0001", "Pending", ""), "", "99999999999999"),
		il("escaped-duplicate", `{"accountId":"acc-1","\u0061ccountId":"acc-live","kycStatus":"Passed"}`, "", ""),
		il("resource-not-an-object", `["acc-1"]`, "", "0"),
		il("event-resource-twice", resource("acc-1", "Passed", ""), `"resource":"{}",`, ""),
		ap("approved", `{"kycStatus":"APPROVED","requestNo":"shr_01HZX0EXAMPLE","userId":"u-1","merchantId":"m-1"}`),
		ap("pending-unknown-word", `{"kycStatus":"under_review","requestNo":"shr_A"}`),
		ap("escaped-duplicate", `{"kycStatus":"approved","requestNo":"shr_A","requestN\u006f":"shr_B"}`),
		ap("number-for-string", `{"kycStatus":"approved","requestNo":7}`),
		sp("accept", `{"merchantUserId":"m-0001","userId":"sp-u-0001","kycStatus":"accept","status":"accept"}`),
		sp("status-only", `{"userId":"sp-u-0001","status":"reject"}`),
		sp("escaped-duplicate", `{"userId":"u1","\u0075serId":"u2"}`),
		sp("nested-extra", `{"userId":"u1","status":"accept","detail":{"reasons":[null,true,{"a":[]}]}}`),
	}, nil
}

// appSeeds: the app document's own bodies (internal/appapi/testdata), bare and in the envelope.
func appSeeds(read reader) ([]seed, error) {
	var out []seed
	for _, screen := range []string{"screen1", "screen2", "screen3"} {
		for _, kind := range []string{"upload", "update"} {
			b, err := read("internal/appapi/testdata/" + screen + "_" + kind + ".json")
			if err != nil {
				return nil, err
			}
			target := map[string]string{"upload": "FuzzUploadBody", "update": "FuzzUpdateBody"}[kind]
			out = append(out, seed{"internal/appapi", target, screen, []any{b}})
		}
	}
	u := func(name, body string) seed {
		return seed{"internal/appapi", "FuzzUploadBody", name, []any{[]byte(body)}}
	}
	p := func(name, body string) seed {
		return seed{"internal/appapi", "FuzzUpdateBody", name, []any{[]byte(body)}}
	}
	return append(out,
		u("envelope-and-own-field", `{"data":{"fileData":{"type":"id_proof_back","file":"AAAA"}},"fileData":{"type":"id_proof_front","file":"BBBB"}}`),
		u("data-url-without-comma", `{"fileData":{"type":"address_proof","file":"data:application/pdf;base64"}}`),
		u("data-not-an-object", `{"data":"{\"fileData\":{}}"}`),
		p("all-identification-fields", `{"documents":[{"document_type":"id_proof_front","identification_type":"Driving license","identification_value":"D000001","identification_doc_expiry":"2031-01-31","identification_issuing_date":"2021-02-01","identification_doc_holder_name":"TESTA EXAMPLOVA","identification_issuing_authority":"Example Authority","identification_doc_issuance_country":"UT","identification_doc_reference_number":"R-1"},{"document_type":"id_proof_back"}]}`),
		p("null-fields", `{"documents":[{"document_type":"address_proof","identification_type":null}],"user_addresses":[{"address_line_1":"1 Example Street","country_code":"UT"}],"profile":null}`),
		p("document-type-number", `{"documents":[{"document_type":1}]}`),
		p("escaped-duplicate", `{"profile":{"first_name":"A","first_n\u0061me":"B"}}`),
	), nil
}
