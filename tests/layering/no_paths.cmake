# no_paths.cmake: no source under src/ names a header by a path
# ("../report/report.h"), which would walk around the include directories
# that keep the stages apart.  -DSRC=the src directory.
file(GLOB_RECURSE files ${SRC}/*.c ${SRC}/*.h)
set(bad "")
foreach(f ${files})
  file(STRINGS ${f} lines REGEX "^#[ \t]*include[ \t]*\"[^\"]*/")
  foreach(l ${lines})
    list(APPEND bad "${f}: ${l}")
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" "\n" bad "${bad}")
  message(FATAL_ERROR "headers named by a path:\n${bad}")
endif()
list(LENGTH files n)
message(STATUS "${n} files, no header named by a path")
