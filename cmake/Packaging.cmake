# Installed layout and the Debian package. Included at the end of CMakeLists.txt; also run
# as a script (cmake -DCOLTEC_HELP_BIN=… -DCOLTEC_HELP_OUT=… -P Packaging.cmake) to turn
# `coltec-daemon --help` into a help text file and a man page at build time (help2man is not
# a dependency). Package: scripts/package.sh, or `cpack -G DEB` in any build directory.
#
# Layout under CMAKE_INSTALL_PREFIX (/usr in the .deb):
#   bin/coltec-daemon, bin/coltec-validate -> coltec-daemon
#   share/coltec-daemon/workspace-spec.schema.json
#   share/coltec-daemon/examples/{workspace-spec.example.yaml, supervisord.conf,
#                                 post-start.sh, coltec-daemon.service}
#   share/doc/coltec-daemon/coltec-daemon.help.txt, share/man/man1/coltec-daemon.1.gz
# Examples sit under share/coltec-daemon rather than share/doc because slim container images
# drop /usr/share/doc at install time, and supervisord.conf finds post-start.sh beside it.

if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode: COLTEC_HELP_BIN is the built binary, COLTEC_HELP_OUT the output stem.
  execute_process(COMMAND ${COLTEC_HELP_BIN} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${COLTEC_HELP_BIN} --help exited with ${rc}")
  endif()
  execute_process(COMMAND ${COLTEC_HELP_BIN} --version OUTPUT_VARIABLE version
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  file(WRITE ${COLTEC_HELP_OUT}.help.txt "${help}")
  # roff: a backslash starts an escape and a leading . or ' starts a request.
  string(REPLACE "\\" "\\e" body "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" body "${body}")
  file(WRITE ${COLTEC_HELP_OUT}.1
       ".TH COLTEC-DAEMON 1 \"\" \"${version}\" \"User Commands\"\n"
       ".SH NAME\ncoltec-daemon, coltec-validate \\- keep devcontainer folders replicated "
       "to S3/R2 with rclone\n"
       ".SH SYNOPSIS\n.B coltec-daemon\n[\\fIOPTIONS\\fR] [\\fBstatus\\fR]\n.br\n"
       ".B coltec-validate\n\\fB\\-\\-file\\fR \\fIFILE\\fR [\\fB\\-\\-schema\\fR \\fIFILE\\fR] "
       "[\\fB\\-\\-schema\\-only\\fR] [\\fB\\-\\-generate\\-schema\\fR]\n"
       ".SH OPTIONS\n.nf\n${body}.fi\n"
       ".SH FILES\n.TP\n/usr/share/coltec-daemon/workspace-spec.schema.json\n"
       "the JSON Schema of workspace-spec.yaml\n"
       ".TP\n/usr/share/coltec-daemon/examples/\nexample spec, supervisord program, "
       "systemd user unit and devcontainer post-start script\n"
       ".SH SEE ALSO\n\\fBrclone\\fR(1), \\fBsupervisord\\fR(1), \\fBsystemd.service\\fR(5)\n")
  find_program(GZIP_EXE gzip)
  if(GZIP_EXE)
    # -n keeps the timestamp out, so the package is reproducible.
    execute_process(COMMAND ${GZIP_EXE} -9nf ${COLTEC_HELP_OUT}.1 RESULT_VARIABLE rc)
  endif()
  if(NOT GZIP_EXE OR NOT rc EQUAL 0)
    file(ARCHIVE_CREATE OUTPUT ${COLTEC_HELP_OUT}.1.gz PATHS ${COLTEC_HELP_OUT}.1
         FORMAT raw COMPRESSION GZip)
  endif()
  return()
endif()

include(GNUInstallDirs)

set(COLTEC_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/coltec-daemon)

# coltec-validate is the same binary under another name; the link also lives in the build
# directory so tests can call build/<preset>/coltec-validate.
add_custom_command(TARGET coltec-daemon POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E create_symlink coltec-daemon
          $<TARGET_FILE_DIR:coltec-daemon>/coltec-validate
  VERBATIM)
install(CODE "file(CREATE_LINK coltec-daemon
  \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/coltec-validate\" SYMBOLIC)")

set(coltec_help_stem ${CMAKE_BINARY_DIR}/doc/coltec-daemon)
add_custom_command(
  OUTPUT ${coltec_help_stem}.help.txt ${coltec_help_stem}.1.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/doc
  COMMAND ${CMAKE_COMMAND} -DCOLTEC_HELP_BIN=$<TARGET_FILE:coltec-daemon>
          -DCOLTEC_HELP_OUT=${coltec_help_stem} -P ${CMAKE_CURRENT_LIST_FILE}
  DEPENDS coltec-daemon ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Generating coltec-daemon.help.txt and the man page from --help"
  VERBATIM)
add_custom_target(coltec-docs ALL DEPENDS ${coltec_help_stem}.help.txt ${coltec_help_stem}.1.gz)

install(FILES ${CMAKE_SOURCE_DIR}/schema/workspace-spec.schema.json DESTINATION ${COLTEC_SHARE_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/schema/examples/workspace-spec.example.yaml
              ${CMAKE_SOURCE_DIR}/docker/supervisord.conf
              ${CMAKE_SOURCE_DIR}/docker/coltec-daemon.service
        DESTINATION ${COLTEC_SHARE_DIR}/examples)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/docker/post-start.sh DESTINATION ${COLTEC_SHARE_DIR}/examples)
install(FILES ${coltec_help_stem}.help.txt DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${coltec_help_stem}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(CODE "file(CREATE_LINK coltec-daemon.1.gz
  \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1/coltec-validate.1.gz\"
  SYMBOLIC)")

# --- CPack: one Debian package --------------------------------------------------------------
set(COLTEC_PACKAGE_MAINTAINER "coltec-daemon maintainers <coltec-daemon@localhost>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME coltec-daemon)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR coltec)
set(CPACK_PACKAGE_CONTACT ${COLTEC_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "keeps devcontainer workspace folders replicated to S3/R2 through rclone")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "coltec-daemon reads .devcontainer/workspace-spec.yaml and keeps the folders it names\n"
       "replicated to S3-compatible storage (Cloudflare R2) with rclone bisync/sync, so a\n"
       "recreated container gets its work back. Includes the coltec-validate spec checker.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR "")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${COLTEC_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "rclone")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "supervisor")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
find_program(COLTEC_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(COLTEC_DPKG_SHLIBDEPS)
  # Adds the exact libc/libstdc++/yaml-cpp/spdlog/fmt packages the binary links against.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
         ", libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libyaml-cpp0.7, libspdlog1.10, libfmt9")
endif()

include(CPack)
