# Run at build time (cmake -P) after strata is linked: writes the files strata prints about
# itself, so the installed man page and completions are the binary's own and cannot drift.
#   -DSTRATA=<path of strata> -DOUT=<folder>
# Writes strata.1, strata.1.gz, strata.bash, _strata (zsh) and strata.fish into OUT.
function(write_output name)
  execute_process(COMMAND "${STRATA}" ${ARGN}
    OUTPUT_FILE "${OUT}/${name}.tmp" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "strata ${ARGN} failed (${rc})")
  endif()
  # Rewrite only on change, so an unchanged page keeps its time stamp.
  file(COPY_FILE "${OUT}/${name}.tmp" "${OUT}/${name}" ONLY_IF_DIFFERENT)
  file(REMOVE "${OUT}/${name}.tmp")
endfunction()

file(MAKE_DIRECTORY "${OUT}")
write_output(strata.1 man)
write_output(strata.bash completion bash)
write_output(_strata completion zsh)
write_output(strata.fish completion fish)
# Debian compresses manual pages (policy 12.1); -n keeps the time stamp and name out of the
# file, so the package is the same from one build to the next.
if(NOT EXISTS "${OUT}/strata.1.gz" OR "${OUT}/strata.1" IS_NEWER_THAN "${OUT}/strata.1.gz")
  execute_process(COMMAND gzip -9 -n -c "${OUT}/strata.1"
    OUTPUT_FILE "${OUT}/strata.1.gz" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip of strata.1 failed (${rc})")
  endif()
endif()
