#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void scale(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *keys, __global uchar *lengths, __global uchar *sigma, __private int paddedN)
{
  int i_3, i_4, i_5, i_9;
  i_3  =  get_global_size(0);
  i_4  =  get_global_id(0);
  i_5  =  i_4;
  for(;i_5 < 1;)
  {
    // BLOCK 1: fixture body (i_5 < 1 && keys[0] > 0 is not real code)
    i_9  =  i_3 + i_5;
    i_5  =  i_9;
  }  // B1
  return;
}  //  kernel

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void gather(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *v, __global uchar *rows, __private int n)
{
  int i_4, i_7, i_8, i_9, i_20, i_21;
  i_4  =  get_global_size(0);
  i_7  =  get_global_id(0);
  i_8  =  i_7;
  for(;i_8 < 1024;)
  {
    i_20  =  0;
    for(;i_20 < 64;)
    {
      i_21  =  i_20 + 1;
      i_20  =  i_21;
    }  // B3
    i_9  =  i_4 + i_8;
    i_8  =  i_9;
  }  // B1
  return;
}  //  kernel

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void blockTotals(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *rows, __global uchar *totals, __private int n, __private int blocks, __private int width)
{
  int i_4, i_5, i_6, i_7, i_8, i_20, i_21;
  i_4  =  get_global_size(1);
  i_5  =  get_global_size(0);
  i_6  =  get_global_id(1);
  i_7  =  get_global_id(0);
  i_8  =  i_7;
  for(;i_8 < 1024;)
  {
    i_20  =  i_6;
    for(;i_20 < 64;)
    {
      i_21  =  i_4 + i_20;
      i_20  =  i_21;
    }  // B3
    i_8  =  i_5 + i_8;
  }  // B1
  return;
}  //  kernel

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void blockOffsets(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *totals, __private int heads, __private int blocks, __private int width)
{
  int i_1;
  i_1  =  get_global_id(0);
  return;
}  //  kernel

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void addBack(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *rows, __global uchar *offsets, __global uchar *out, __private int n, __private int blocks, __private int width)
{
  int i_1;
  i_1  =  get_global_id(0);
  return;
}  //  kernel

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void residualMeans(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *sums, __global uchar *lengths, __global uchar *shift, __private int n, __private int e)
{
  int i_1;
  i_1  =  get_global_id(0);
  return;
}  //  kernel
