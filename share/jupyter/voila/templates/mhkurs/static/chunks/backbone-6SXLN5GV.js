import{c as a}from"./chunk-UHWISXEN.js";import{d as o}from"./chunk-MYN2RQWK.js";var e=o(a());export{e as backbone};
