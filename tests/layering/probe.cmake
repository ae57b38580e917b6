# probe.cmake: builds one layering probe (tests/CMakeLists.txt) and checks
# the outcome.  -DBUILD=dir -DTARGET=name -DHEADER=x.h -DEXPECT=fail|ok
#   fail: the build must stop because HEADER cannot be found from that
#         stage (any other failure is a failure of the test, not a pass);
#   ok:   the build must succeed (the control: the probe itself is sound).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(EXPECT STREQUAL "fail")
  if(rc EQUAL 0)
    message(FATAL_ERROR "${TARGET}: a stage could include ${HEADER}, which its dependencies do not provide")
  endif()
  string(FIND "${out}" "${HEADER}: No such file or directory" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${TARGET} failed, but not for want of ${HEADER}:\n${out}")
  endif()
  message(STATUS "${TARGET}: refused, as it must be (${HEADER} not visible)")
else()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TARGET}: the control probe did not build:\n${out}")
  endif()
  message(STATUS "${TARGET}: built")
endif()
