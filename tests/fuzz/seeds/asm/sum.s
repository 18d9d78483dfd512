# r0 = the sum of the first two 64-bit words of memory
ldxdw %r0, [%r1]
ldxdw %r2, [%r1+8]
add %r0, %r2
exit
