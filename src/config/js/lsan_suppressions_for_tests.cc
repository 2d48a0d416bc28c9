// Built-in LeakSanitizer suppressions for the JS host's test binaries: the same entries as
// tests/lsan.supp (a small allocation JavaScriptCore keeps for the life of the process). Needed
// because CTest does not pass LSAN_OPTIONS through to these tests yet (see cmake/strata.cmake).
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libjavascriptcoregtk\nleak:libJavaScriptCore\n";
}
