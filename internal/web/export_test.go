package web

// RetakeReasons are the reasons a reading may give, for the test that every one has its text.
var RetakeReasons = retakeReasons
