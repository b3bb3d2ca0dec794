// Package lists reads the official sanctions list files into matcher entries: OFAC's SDN list and
// its consolidated non-SDN list (the four headerless CSV files each), and the UN Security Council
// consolidated XML. A reader takes the whole file or refuses it: a malformed or truncated file is
// an error naming the file and line, never a shorter list.
package lists
