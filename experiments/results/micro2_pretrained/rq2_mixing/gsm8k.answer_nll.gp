set terminal pngcairo size 800,500 enhanced font 'sans,10'
set output 'gsm8k.answer_nll.png'
set title 'rq2_mixing_pretrained: gsm8k.answer_nll against fraction (mean ± std over seeds)' noenhanced
set xlabel 'fraction' noenhanced
set ylabel 'gsm8k.answer_nll' noenhanced
set grid
set key outside right noenhanced
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
set logscale x 2
set xtics ('1/256' 0.00390625, '1/64' 0.015625, '1/16' 0.0625, '1/4' 0.25, '1' 1)
plot 'gsm8k.answer_nll.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 7 title 'mixed', 'gsm8k.answer_nll.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 7 title 'maths_alone'
