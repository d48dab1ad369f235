#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void reluLevel(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *s, __global uchar *keys, __global uchar *lengths, __global uchar *params, __global uchar *table, __global uchar *totals, __global uchar *acc, __private int n, __private int paddedN, __private int e, __private int chunk)
{
  int i_3, i_4, i_5, i_9;
  i_3  =  get_global_size(0);
  i_4  =  get_global_id(0);
  i_5  =  i_4;
  for(;i_5 < 1;)
  {
    // BLOCK 1: fixture body (not real code)
    i_9  =  i_3 + i_5;
    i_5  =  i_9;
  }  // B1
  return;
}  //  kernel
