module @small {
  func.func public @main(%x: tensor<2x3xf32> {tf.aliasing_output = 0 : i32}, %y: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>, tensor<1x1x2x2xf32>) {
    %add.1 = "stablehlo.add"(%x, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %constant.5 = "stablehlo.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
    %reduce.6 = "stablehlo.reduce"(%x, %constant.5) ({
      ^bb0(%r0_x.2: tensor<f32>, %r0_y.3: tensor<f32>):
        %r0_add.4 = "stablehlo.add"(%r0_x.2, %r0_y.3) : (tensor<f32>, tensor<f32>) -> tensor<f32>
        "stablehlo.return"(%r0_add.4) : (tensor<f32>) -> ()
      }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
    %constant.7 = "stablehlo.constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
    %multiply.8 = "stablehlo.multiply"(%constant.7, %add.1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %reshape.9 = "stablehlo.reshape"(%multiply.8) : (tensor<2x3xf32>) -> tensor<1x1x2x3xf32>
    %constant.10 = "stablehlo.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
    %broadcast.11 = "stablehlo.broadcast_in_dim"(%constant.10) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<1x1x3x3xf32>
    %convolution.12 = "stablehlo.convolution"(%reshape.9, %broadcast.11) {batch_group_count = 1 : i64, dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]>, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>, rhs_dilation = array<i64: 1, 1>, window_reversal = array<i1: false, false>, window_strides = array<i64: 1, 1>} : (tensor<1x1x2x3xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x2x3xf32>
    %slice.13 = "stablehlo.slice"(%convolution.12) {start_indices = array<i64: 0, 0, 0, 1>, limit_indices = array<i64: 1, 1, 2, 3>, strides = array<i64: 1, 1, 1, 1>} : (tensor<1x1x2x3xf32>) -> tensor<1x1x2x2xf32>
    %constant.14 = "stablehlo.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
    %broadcast.15 = "stablehlo.broadcast_in_dim"(%constant.14) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<1x1x2x2xf32>
    %compare.16 = "stablehlo.compare"(%slice.13, %broadcast.15) {comparison_direction = #stablehlo<comparison_direction GT>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xi1>
    %constant.17 = "stablehlo.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
    %broadcast.18 = "stablehlo.broadcast_in_dim"(%constant.17) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<1x1x2x2xf32>
    %select.19 = "stablehlo.select"(%compare.16, %slice.13, %broadcast.18) : (tensor<1x1x2x2xi1>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
    func.return %add.1, %reduce.6, %select.19 : tensor<2x3xf32>, tensor<2xf32>, tensor<1x1x2x2xf32>
  }
}
