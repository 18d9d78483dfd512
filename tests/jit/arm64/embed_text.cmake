# cmake -DINPUT=file.txt -DOUTPUT=file.inc -P embed_text.cmake
# Writes INPUT's text as one C++ raw string literal, for `#include` after `=`.
file(READ "${INPUT}" text)
file(WRITE "${OUTPUT}" "R\"a64table(${text})a64table\"\n")
