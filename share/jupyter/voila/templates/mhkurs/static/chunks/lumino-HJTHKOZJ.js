import{g as e}from"./chunk-RJQCF5MV.js";import"./chunk-FPWIMXMF.js";import"./chunk-MYN2RQWK.js";export{e as widgets};
