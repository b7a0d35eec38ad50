import{c as e,e as o}from"./chunk-D5EOYGBL.js";import"./chunk-27LZA2AU.js";import"./chunk-35RGDDV2.js";import"./chunk-MYN2RQWK.js";export{o as Panel,e as Widget};
